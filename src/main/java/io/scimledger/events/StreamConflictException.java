package io.scimledger.events;

/**
 * Another writer appended to the stream between our read and our append (the UNIQUE (stream_id, stream_version)
 * backstop fired). Without If-Match the write path retries in a new transaction; with If-Match it is a 412.
 */
public class StreamConflictException extends RuntimeException {

    public StreamConflictException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
