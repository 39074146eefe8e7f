package org.cfs.cli;

import org.cfs.chord.Endpoint;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads HOST:PORT options; a bad value is a usage error with Endpoint's own message. */
final class EndpointConverter implements ITypeConverter<Endpoint> {

    @Override
    public Endpoint convert(String value) {
        try {
            return Endpoint.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
