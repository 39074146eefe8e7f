package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.cfs.chord.Id;

/**
 * A key as typed on the command line: 40 hex digits name an id directly; any other text stands
 * for the id of its UTF-8 bytes ({@link Id#hash(String)}), as a block or file name would.
 *
 * @param id the key on the ring; "key" in JSON
 * @param hashedFrom the text that was hashed, or null (and absent from JSON) when the key was given as an id
 */
@JsonPropertyOrder({"key", "hashedFrom"})
record LookupKey(@JsonProperty("key") Id id, @JsonInclude(JsonInclude.Include.NON_NULL) String hashedFrom) {

    static LookupKey parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the key is empty; give 40 hex digits or any text to hash");
        }
        if (Id.isHex(text)) {
            return new LookupKey(Id.fromHex(text), null);
        }
        return new LookupKey(Id.hash(text), text);
    }

    /** How the key reads in output: its hex id, and what it was hashed from if it was. */
    String describe() {
        return hashedFrom == null ? id.toHex() : id.toHex() + "  (hash of \"" + hashedFrom + "\")";
    }
}
