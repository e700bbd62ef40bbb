package io.scimledger.testinfra;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * JVM-wide registry for the shared local services. Quarkus loads test classes in a new class loader each time it
 * restarts the application (e.g. for a different set of test resources), so static fields alone would start a
 * second PostgreSQL/Kafka. The platform MBean server is one per JVM and only speaks JDK types across loaders.
 */
final class JvmShared {

    private JvmShared() {}

    /**
     * Runs {@code owner.method()} (public static, no args) as loaded by the system class loader when it can see the
     * class (surefire, exec:java put test classes there too), else as loaded by the caller's loader. Shared services
     * must live in a loader that is never closed: Quarkus closes its test class loader on every restart, after which
     * a broker or shutdown hook that still needs to load a class would fail.
     */
    static void callInLongLivedLoader(Class<?> owner, String method) {
        Class<?> target = owner;
        try {
            target = Class.forName(owner.getName(), true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // not visible there: use ours
        }
        try {
            target.getMethod(method).invoke(null);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Could not call " + owner.getName() + "." + method, e);
        }
    }

    static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    /** A lock shared by all class loaders of this JVM. */
    static Object lock() {
        return LOCK;
    }

    /** Interned string literals are one object per JVM, whatever class loader loaded this class. */
    private static final Object LOCK = "io.scimledger.testinfra.JvmShared.lock".intern();

    static ObjectName name(String type) {
        try {
            return new ObjectName("io.scimledger.testinfra:type=" + type + ",name=shared");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean exists(ObjectName name) {
        return server().isRegistered(name);
    }

    static <T> void register(ObjectName name, T impl, Class<T> iface) {
        try {
            server().registerMBean(new StandardMBean(impl, iface), name);
        } catch (JMException e) {
            throw new IllegalStateException("Could not register " + name, e);
        }
    }

    static void unregister(ObjectName name) {
        try {
            if (server().isRegistered(name)) {
                server().unregisterMBean(name);
            }
        } catch (JMException e) {
            // already gone
        }
    }

    static Object attribute(ObjectName name, String attribute) {
        try {
            return server().getAttribute(name, attribute);
        } catch (JMException e) {
            throw new IllegalStateException("Could not read " + name + " " + attribute, e);
        }
    }

    static void invoke(ObjectName name, String operation) {
        try {
            server().invoke(name, operation, new Object[0], new String[0]);
        } catch (javax.management.RuntimeMBeanException e) {
            throw e.getTargetException();
        } catch (javax.management.MBeanException e) {
            Exception cause = e.getTargetException();
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        } catch (JMException e) {
            throw new IllegalStateException("Could not invoke " + name + " " + operation, e);
        }
    }
}
