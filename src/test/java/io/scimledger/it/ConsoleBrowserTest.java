package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The auditor's console in a real browser (Debian's headless chromium through chromedriver), against the service with
 * its real PostgreSQL and Kafka: data provisioned through SCIM, then what a reviewer sees on each screen (issue 10,
 * items 2 to 10), including the broken-chain banner after a tamper done as the database owner, and that a token
 * without audit:read, or of another tenant, shows nothing of this tenant. Screenshots go to docs/console/.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String CHROMIUM = "/usr/bin/chromium";
    static final Path SCREENSHOTS = Path.of("docs/console");
    /** The long history of the issue: 10,000 changes (plus the creation), ten loading chunks, 201 pages. */
    static final int BUSY_PATCHES = 10_000;

    @TestHTTPResource("/console")
    URL console;

    final String tenant = "console-" + UUID.randomUUID();
    String ada;
    String bob;
    String carl;
    String grace;
    String busy;
    String pilots;
    String staff;

    WebDriver driver;
    Path profile;

    // In @BeforeEach, once: RestAssured learns the test port only around each test, not in @BeforeAll.
    @BeforeEach
    void provisionAndStartBrowserOnce() throws IOException {
        if (driver != null) {
            return;
        }
        ada = createUser("ada.lovelace", "EMP-0001");
        bob = createUser("bob.builder", "EMP-0002");
        carl = createUser("carl.gone", "EMP-0003");
        grace = createUser("grace.hopper", "EMP-0004");
        busy = createUser("busy.bee", "EMP-0005");
        pilots = Scim.createGroup(tenant, "Pilots");
        staff = Scim.createGroup(tenant, "Staff");
        // ada: Pilots, out, Pilots again; then Pilots joins Staff, so ada is in Staff through Pilots
        addMember(pilots, ada);
        Scim.patch(
                        tenant,
                        "/scim/v2/Groups/" + pilots,
                        "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + ada + "\\\"]\"}]")
                .statusCode(200);
        addMember(pilots, ada);
        addMember(pilots, grace);
        addMember(staff, pilots);
        Scim.patch(tenant, "/scim/v2/Users/" + ada, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Engineer\"}]")
                .statusCode(200);
        // bob deactivated, carl deleted, grace erased by an operator
        Scim.idp(tenant)
                .header("X-Request-Id", "offboard-bob")
                .body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":["
                        + "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}")
                .patch("/scim/v2/Users/" + bob)
                .then()
                .statusCode(200);
        Scim.idp(tenant)
                .header("X-Request-Id", "offboard-carl")
                .delete("/scim/v2/Users/" + carl)
                .then()
                .statusCode(204);
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{\"reference\":\"GDPR-7\"}")
                .post("/admin/tenants/" + tenant + "/Users/" + grace + "/erasure")
                .then()
                .statusCode(200);
        // a long history, through Bulk to keep the set-up short
        for (int start = 0; start < BUSY_PATCHES; start += 1000) {
            StringBuilder ops = new StringBuilder("[");
            for (int i = start; i < start + 1000; i++) {
                ops.append(i == start ? "" : ",")
                        .append("{\"method\":\"PATCH\",\"path\":\"/Users/")
                        .append(busy)
                        .append("\",\"data\":{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],")
                        .append("\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t")
                        .append(i)
                        .append("\"}]}}");
            }
            Scim.idp(tenant)
                    .body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"]," + "\"Operations\":"
                            + ops.append("]") + "}")
                    .post("/scim/v2/Bulk")
                    .then()
                    .statusCode(200);
        }

        Files.createDirectories(SCREENSHOTS);
        profile = Files.createTempDirectory("console-chromium-");
        // Never let Selenium Manager look for (or download) a driver or a browser: both are given.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                // a zone that is not UTC, so the UTC toggle visibly changes the times
                .withEnvironment(Map.of("TZ", "America/New_York"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1280,900",
                "--lang=en-US");
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "download.default_directory",
                        profile.resolve("downloads").toString(),
                        "download.prompt_for_download",
                        false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- the page: served without a token, from this origin only ------------------------------------------------

    @Test
    @Order(0)
    void theConsoleLoadsWithoutATokenAndOnlyFromThisOrigin() {
        given().redirects()
                .follow(false)
                .get("/console")
                .then()
                .statusCode(302)
                .header("Location", org.hamcrest.Matchers.endsWith("/console/"));
        String page = given().get("/console/")
                .then()
                .statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("text/html"))
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self'"))
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("connect-src 'self'"))
                .extract()
                .asString();
        assertFalse(page.contains("http://") || page.contains("https://"), "no script, style or font from elsewhere");
        given().get("/console/js/app.js").then().statusCode(200);
        given().get("/console/console.css").then().statusCode(200);
        // the data stays behind the API's scopes
        given().get("/audit/search?q=a").then().statusCode(401);
    }

    // ---- item 1: sign-in; a token without audit:read sees nothing --------------------------------------------------

    @Test
    @Order(1)
    void aTokenWithoutAuditReadIsRefusedWithAdviceAndShowsNothing() {
        driver.get(console.toString());
        waitFor(d -> d.getCurrentUrl().endsWith("/console/"));
        WebElement field = waitVisible(By.cssSelector("#signin textarea"));
        assertEquals(
                "Bearer token with the audit:read scope",
                driver.findElement(By.cssSelector("label[for='" + field.getAttribute("id") + "']"))
                        .getText());
        field.sendKeys(Tokens.token(tenant, "idp-only", Scopes.SCIM_READ));
        click(driver.findElement(By.cssSelector("#signin button[type=submit]")));
        waitText(By.id("signin-problem"), "This token lacks audit:read");
        assertTrue(text(By.id("signin-problem")).contains("audit:read scim:read"), text(By.id("signin-problem")));
        assertFalse(driver.findElement(By.id("nav")).isDisplayed());
        assertFalse(bodyText().contains("ada.lovelace"));
        // the token is in no storage, cookie or URL
        assertEquals(0L, js("return localStorage.length + sessionStorage.length"));
        assertEquals("", js("return document.cookie"));
        screenshot("01-sign-in-refused");
    }

    // ---- item 2: find, including deleted and erased ----------------------------------------------------------------

    @Test
    @Order(2)
    void findsUsersAndGroupsByNameExternalIdAndIdIncludingDeletedAndErasedOnes() {
        signInAs(Tokens.token(tenant, "auditor", Scopes.AUDIT_READ, Scopes.SCIM_READ));
        assertEquals(tenant, text(By.id("tenant")));
        assertEquals("", js("return document.cookie"));
        assertFalse(driver.getCurrentUrl().contains("eyJ"), "the token must not be in the URL");

        search("ada");
        waitText(By.id("search-results"), "ada.lovelace");
        search("carl");
        waitText(By.id("search-results"), "carl.gone");
        assertTrue(text(By.id("search-results")).contains("deleted"), text(By.id("search-results")));
        // an erased person's names are gone: found by externalId, shown as erased
        search("EMP-0004");
        waitText(By.id("search-results"), "Erased person");
        assertTrue(text(By.id("search-results")).contains("erased"));
        assertFalse(bodyText().contains("grace.hopper"));
        search(pilots);
        waitText(By.id("search-results"), "Pilots");
        search("a");
        waitText(By.id("search-results"), "ada.lovelace");
        screenshot("02-find");
    }

    // ---- item 3: timeline, filters, paging of a long history -------------------------------------------------------

    @Test
    @Order(3)
    void timelineShowsWhoAndBeforeAfterFiltersAndPagesALongHistory() {
        go("#/Users/" + bob + "/timeline");
        waitText(By.id("timeline"), "UserPatched");
        String timeline = text(By.id("timeline"));
        assertTrue(timeline.contains("offboard-bob"), timeline);
        assertTrue(timeline.contains("idp-" + tenant), timeline);
        assertTrue(timeline.contains("active: true → false"), timeline);
        waitText(By.id("resource-title"), "bob.builder");

        // attribute filter: the creation (set active) and the deactivation
        setField(By.cssSelector("form[aria-label='Filter the timeline'] input[list]"), "active");
        click(driver.findElement(By.cssSelector("form[aria-label='Filter the timeline'] button[type=submit]")));
        waitText(By.id("timeline-status"), "Events 1–2 of 2 matching the filter, of 2 events");
        // a period that ends before everything: nothing, with advice
        setField(By.cssSelector("form[aria-label='Filter the timeline'] input[list]"), "");
        List<WebElement> dates = driver.findElements(
                By.cssSelector("form[aria-label='Filter the timeline'] input[type=datetime-local]"));
        js(
                "arguments[0].value = '2001-01-01T00:00:00.000'; arguments[1].value = '2001-01-02T00:00:00.000'",
                dates.get(0),
                dates.get(1));
        click(driver.findElement(By.cssSelector("form[aria-label='Filter the timeline'] button[type=submit]")));
        waitText(By.id("timeline"), "No event matches this filter.");
        assertTrue(text(By.id("timeline")).contains("Widen the period"));

        // 1201 events: one page of 50 rows in the DOM, the rest a click away
        go("#/Users/" + busy + "/timeline");
        waitText(By.id("timeline-status"), "Events 1–50 of " + String.format("%,d", BUSY_PATCHES + 1) + ".");
        assertEquals(
                50, driver.findElements(By.cssSelector("#timeline tbody tr")).size());
        screenshot("03-timeline-long");
        click(driver.findElement(By.xpath("//div[@id='timeline']//button[contains(., 'Last')]")));
        waitText(By.id("timeline-status"), "Events 10,001–10,001 of 10,001.");
        assertEquals(
                1, driver.findElements(By.cssSelector("#timeline tbody tr")).size());
        assertTrue(text(By.id("timeline")).contains("title: \"t9998\" → \"t9999\""), text(By.id("timeline")));
        assertEquals("Page 201 of 201", text(By.cssSelector("#timeline .pageinfo")));

        // times in the viewer's zone (New York), UTC on request
        String local =
                driver.findElement(By.cssSelector("#timeline tbody time")).getText();
        assertTrue(local.endsWith("EST") || local.endsWith("EDT") || local.contains("GMT-"), local);
        click(driver.findElement(By.id("utc")));
        waitFor(d ->
                d.findElement(By.cssSelector("#timeline tbody time")).getText().endsWith("UTC"));
        click(driver.findElement(By.id("utc")));

        go("#/Users/" + bob + "/timeline");
        waitText(By.id("timeline"), "offboard-bob");
        screenshot("03-timeline");
    }

    // ---- item 4: as-of, with the members of a group then ------------------------------------------------------------

    @Test
    @Order(4)
    void asOfShowsTheResourceAndTheGroupsMembersAtThatMoment() {
        go("#/Groups/" + pilots + "/timeline");
        waitText(By.id("timeline"), "GroupMembersAdded");
        // the first addition of ada: "As of this change" on that row
        // member ids are shown by name
        WebElement firstAdd = waitFor(d -> {
            WebElement row = d.findElement(By.cssSelector("#timeline tr[data-type='GroupMembersAdded']"));
            return row.getText().contains("ada.lovelace") ? row : null;
        });
        click(firstAdd.findElement(By.linkText("As of this change")));
        waitText(By.id("asof"), "Members at that moment: 1");
        assertTrue(text(By.id("asof-members")).contains("ada.lovelace"), text(By.id("asof-members")));
        assertTrue(text(By.id("asof-attributes")).contains("Pilots"));
        screenshot("04-as-of-group");
        // just after the removal: nobody
        go("#/Groups/" + pilots + "/timeline");
        WebElement removal = waitVisible(By.cssSelector("#timeline tr[data-type='GroupMembersRemoved']"));
        click(removal.findElement(By.linkText("As of this change")));
        waitText(By.id("asof"), "Members at that moment: 0");
        // before creation: it did not exist, and the console says so
        go("#/Users/" + ada + "/asof");
        WebElement moment = waitVisible(By.cssSelector("#tab input[type=datetime-local]"));
        js("arguments[0].value = '2001-01-01T00:00:00.000'", moment);
        click(driver.findElement(By.cssSelector("#tab form button[type=submit]")));
        waitText(By.id("asof"), "It did not exist at that moment.");
    }

    // ---- item 5: memberships as intervals on a time axis ------------------------------------------------------------

    @Test
    @Order(5)
    void accessOverTimeDrawsOneBarPerIntervalDirectAndNestedWithLinksToTheEvents() {
        go("#/Users/" + ada + "/access");
        waitVisible(By.id("access-chart"));
        List<WebElement> bars = driver.findElements(By.cssSelector("#access-chart rect.bar"));
        assertEquals(3, bars.size(), "two direct intervals in Pilots and one in Staff through Pilots");
        List<WebElement> direct =
                new java.util.ArrayList<>(driver.findElements(By.cssSelector("#access-chart rect.bar-direct")));
        direct.sort(java.util.Comparator.comparingDouble(b -> attr(b, "x")));
        List<WebElement> nested = driver.findElements(By.cssSelector("#access-chart rect.bar-indirect"));
        assertEquals(2, direct.size());
        assertEquals(1, nested.size());
        // the two Pilots bars are on one row, one after the other; the first has ended, the second runs on
        double x1 = attr(direct.get(0), "x");
        double x2 = attr(direct.get(1), "x");
        assertEquals(attr(direct.get(0), "y"), attr(direct.get(1), "y"));
        assertTrue(x1 < x2, "the first interval is drawn left of the second");
        assertTrue(
                !java.time.Instant.parse(direct.get(0).getAttribute("data-to"))
                        .isAfter(java.time.Instant.parse(direct.get(1).getAttribute("data-from"))),
                "first ends before the second starts");
        assertFalse(direct.get(0).getAttribute("data-to").isEmpty());
        assertTrue(direct.get(1).getAttribute("data-to").isEmpty());
        // the nested bar is on its own row and starts no earlier than the second direct one
        assertTrue(attr(nested.get(0), "y") > attr(direct.get(0), "y"));
        assertTrue(attr(nested.get(0), "x") >= x2);
        assertEquals(staff, nested.get(0).getAttribute("data-group"));
        assertTrue(text(By.id("access-table")).contains("nested, via Pilots"), text(By.id("access-table")));
        screenshot("05-access-over-time");

        // the event behind the start of the first bar, one click away
        click(direct.get(0).findElement(By.xpath("..")));
        WebElement row = waitFor(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("#timeline tr.highlight"));
            return !found.isEmpty() && found.get(0).getText().contains("ada.lovelace") ? found.get(0) : null;
        });
        assertEquals("GroupMembersAdded", row.getAttribute("data-type"));
        assertTrue(driver.getCurrentUrl().contains("/Groups/" + pilots + "/timeline"), driver.getCurrentUrl());
    }

    // ---- item 6: deprovisioning report
    // -------------------------------------------------------------------------------

    @Test
    @Order(6)
    void deprovisioningReportShowsTheDistributionAndTheSlowest() {
        go("#/deprovisionings");
        waitText(By.id("deprov-summary"), "2 deprovisionings: 1 deactivation, 1 deletion.");
        List<WebElement> bins = driver.findElements(By.cssSelector("#latency-histogram rect.bar"));
        assertEquals(10, bins.size());
        int total = bins.stream()
                .mapToInt(b -> Integer.parseInt(b.getAttribute("data-count")))
                .sum();
        assertEquals(2, total, "each deprovisioning in one bin");
        assertTrue(bins.stream()
                .filter(b -> !"0".equals(b.getAttribute("data-count")))
                .allMatch(b -> attr(b, "height") > 0));
        String slowest = text(By.id("deprov-slowest"));
        assertTrue(slowest.contains("bob.builder") && slowest.contains("carl.gone"), slowest);
        assertTrue(slowest.contains("offboard-bob") && slowest.contains("offboard-carl"), slowest);
        screenshot("06-deprovisioning");

        // item 9: export what is on screen through the streamed export
        click(driver.findElement(By.xpath("//button[normalize-space()='Export CSV']")));
        waitText(By.cssSelector(".export-status"), "Saved audit-deprovisionings.csv: 2 rows");
        click(driver.findElement(By.xpath("//button[normalize-space()='Export NDJSON']")));
        waitText(By.cssSelector(".export-status"), "Saved audit-deprovisionings.ndjson: 2 rows");
    }

    // ---- item 7: changes by actor -----------------------------------------------------------------------------------

    @Test
    @Order(7)
    void changesByActorArePagedAndLinkToTheTimeline() {
        go("#/changes");
        waitText(By.id("changes"), "Enter a token subject or an OAuth client id.");
        setField(By.cssSelector("#main form input[type=text]"), "idp-" + tenant);
        driver.findElement(By.cssSelector("#main form input[type=text]")).sendKeys(Keys.ENTER);
        waitText(By.id("changes"), "Changes 1–50, more follow.");
        assertEquals(
                50,
                driver.findElements(By.cssSelector("#changes-table tbody tr")).size());
        assertTrue(text(By.id("changes-table")).contains("ada.lovelace"));
        screenshot("07-changes-by-actor");
        click(driver.findElement(By.xpath("//div[@id='changes']//button[contains(., 'Next')]")));
        waitText(By.id("changes"), "Changes 51–100, more follow.");
        // an actor who did nothing
        setField(By.cssSelector("#main form input[type=text]"), "nobody");
        click(driver.findElement(By.cssSelector("#main form button[type=submit]")));
        waitText(By.id("changes"), "This actor changed nothing in this period.");
    }

    // ---- item 10: erased people appear as erased
    // ---------------------------------------------------------------------

    @Test
    @Order(8)
    void anErasedPersonShowsNoPersonalDataButTheEventsRemain() {
        go("#/Users/" + grace + "/timeline");
        waitText(By.id("resource-title"), "Erased person");
        waitText(By.id("timeline"), "UserErased");
        String page = bodyText();
        assertTrue(page.contains("This person was erased."), page);
        assertTrue(page.contains("personal data erased"), page);
        assertFalse(page.contains("grace"), "no personal value anywhere: " + page);
        assertTrue(text(By.id("timeline")).contains("the member was erased") || page.contains("UserCreated"));
        screenshot("10-erased-person");
    }

    // ---- item 8: integrity, then a tamper as the database owner -----------------------------------------------------

    @Test
    @Order(9)
    void integrityIsIntactThenABrokenLinkIsShownUnmistakably() throws Exception {
        go("#/integrity");
        waitText(By.id("chain"), "Intact.");
        assertTrue(driver.findElements(By.id("broken-chain")).isEmpty());
        waitText(By.id("checkpoints"), "Signing key");
        screenshot("08-integrity-intact");

        UUID target = (UUID) Db.rows("SELECT event_id FROM event WHERE stream_id = ?::uuid AND stream_version = 2", bob)
                .get(0)
                .get("event_id");
        Db.tamperActor(target, "mallory");
        click(driver.findElement(By.id("rerun")));
        WebElement banner = waitVisible(By.id("broken-chain"));
        String alarm = banner.getText();
        assertTrue(alarm.contains("BROKEN CHAIN"), alarm);
        assertTrue(alarm.contains("version 2 of user “bob.builder”"), alarm);
        assertTrue(alarm.contains(target.toString()), alarm);
        assertTrue(alarm.contains("altered"), alarm);
        assertEquals("alert", banner.getAttribute("role"));
        screenshot("08-integrity-broken");
        click(banner.findElement(By.tagName("a")));
        WebElement row = waitVisible(By.cssSelector("#timeline tr.highlight"));
        assertTrue(row.getText().contains("mallory"), row.getText());
    }

    // ---- usability: a narrow window, keyboard
    // ------------------------------------------------------------------------

    @Test
    @Order(10)
    void aNarrowWindowStaysReadableAndTheConsoleIsKeyboardReachable() {
        driver.manage().window().setSize(new Dimension(420, 900));
        try {
            go("#/Users/" + bob + "/timeline");
            waitText(By.id("timeline"), "offboard-bob");
            js("window.scrollTo(0, 0)");
            long overflow = (Long) js("return document.documentElement.scrollWidth - window.innerWidth");
            assertTrue(overflow <= 0, "the page does not scroll sideways at 420 px: " + overflow);
            screenshot("11-narrow");
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 900));
        }
        // from the top of the page, Tab reaches the skip link, then the sections
        go("#/find");
        waitVisible(By.cssSelector("input[type=search]"));
        // from the first element of the page (the skip link), Tab walks the header to the sections
        js("document.querySelector('a.skip').focus()");
        assertEquals("Skip to content", driver.switchTo().activeElement().getText());
        for (int i = 0;
                i < 12
                        && !"Deprovisioning"
                                .equals(driver.switchTo().activeElement().getText());
                i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
        }
        assertEquals("Deprovisioning", driver.switchTo().activeElement().getText());
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        waitText(By.id("deprov-summary"), "2 deprovisionings");
    }

    // ---- another tenant sees nothing of this one
    // ---------------------------------------------------------------------

    @Test
    @Order(11)
    void anotherTenantsAuditorSeesNothingOfThisTenant() {
        click(driver.findElement(By.id("signout")));
        waitVisible(By.cssSelector("#signin textarea"));
        String other = "console-other-" + UUID.randomUUID();
        signInAs(Tokens.token(other, "auditor", Scopes.AUDIT_READ, Scopes.SCIM_READ));
        search(ada);
        waitText(By.id("results"), "Nothing in this tenant's log matches");
        search("ada");
        waitText(By.id("results"), "Nothing in this tenant's log matches");
        go("#/Users/" + ada + "/timeline");
        waitText(By.id("timeline"), "Not found in this tenant's log");
        go("#/deprovisionings");
        waitText(By.id("deprov"), "No user was deactivated or deleted in this period.");
        go("#/Users/" + ada + "/access");
        waitText(By.id("access"), "Not found in this tenant's log");
        assertFalse(bodyText().contains("ada.lovelace"));
        assertFalse(bodyText().contains("Pilots"));
        screenshot("12-other-tenant");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private String createUser(String userName, String externalId) {
        return Scim.idp(tenant)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","externalId":"%s",
                 "name":{"givenName":"Given","familyName":"Family"},"active":true}
                """.formatted(userName, externalId))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private void addMember(String group, String member) {
        Scim.patch(
                        tenant,
                        "/scim/v2/Groups/" + group,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + member + "\"}]}]")
                .statusCode(200);
    }

    private void signInAs(String token) {
        if (driver.findElements(By.cssSelector("#signin textarea")).isEmpty()) {
            driver.get(console.toString());
        }
        WebElement field = waitVisible(By.cssSelector("#signin textarea"));
        field.clear();
        field.sendKeys(token);
        click(driver.findElement(By.cssSelector("#signin button[type=submit]")));
        waitVisible(By.id("nav"));
        waitVisible(By.cssSelector("input[type=search]"));
    }

    private void search(String q) {
        go("#/find");
        WebElement input = waitVisible(By.cssSelector("input[type=search]"));
        setField(By.cssSelector("input[type=search]"), q);
        input.sendKeys(Keys.ENTER);
        waitFor(d -> {
            String results = d.findElement(By.id("results")).getText();
            return !results.isEmpty() && !results.contains("Searching");
        });
    }

    /** Navigates inside the page (keeps the in-memory token): a hash change, as a click on a link does. */
    private void go(String hash) {
        js("location.hash = arguments[0]", hash);
    }

    private void setField(By by, String value) {
        WebElement e = waitVisible(by);
        e.clear();
        if (!value.isEmpty()) {
            e.sendKeys(value);
        }
    }

    /** Clicks as a person would, after scrolling the element to the middle of the window. */
    private void click(WebElement e) {
        js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", e);
        e.click();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static double attr(WebElement e, String name) {
        return Double.parseDouble(e.getAttribute(name));
    }

    private String text(By by) {
        return driver.findElement(by).getText();
    }

    private String bodyText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    private WebElement waitVisible(By by) {
        return waitFor(d -> {
            List<WebElement> found = d.findElements(by);
            return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
        });
    }

    private void waitText(By by, String expected) {
        waitFor(
                d -> {
                    List<WebElement> found = d.findElements(by);
                    return !found.isEmpty() && found.get(0).getText().contains(expected);
                },
                () -> "waiting for \"" + expected + "\" in " + by);
    }

    private <T> T waitFor(Function<WebDriver, T> condition) {
        return waitFor(condition, () -> "waiting for a condition");
    }

    /** Waits on a condition; on time-out the failure carries the page's text and the browser's console. */
    private <T> T waitFor(Function<WebDriver, T> condition, java.util.function.Supplier<String> what) {
        try {
            return new WebDriverWait(driver, Duration.ofSeconds(30))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(condition::apply);
        } catch (TimeoutException e) {
            String console = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(Object::toString)
                    .collect(Collectors.joining("\n"));
            throw new AssertionError(
                    what.get() + "\nURL: " + driver.getCurrentUrl() + "\nPage:\n" + bodyText() + "\nBrowser console:\n"
                            + console,
                    e);
        }
    }

    private void screenshot(String name) {
        File shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
