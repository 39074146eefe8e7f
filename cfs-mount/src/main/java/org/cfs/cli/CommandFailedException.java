package org.cfs.cli;

/**
 * A command could not do its work for a reason outside the program: a peer that does not answer,
 * a ring that does not close, a port in use. Its message is the one line the user sees; the exit
 * code is 1.
 */
final class CommandFailedException extends RuntimeException {

    CommandFailedException(String message) {
        super(message);
    }

    CommandFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
