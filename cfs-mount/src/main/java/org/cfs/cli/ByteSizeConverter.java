package org.cfs.cli;

import org.cfs.chord.ByteSize;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads options such as {@code --capacity 10G}; a bad value is a usage error with ByteSize's own message. */
final class ByteSizeConverter implements ITypeConverter<ByteSize> {

    @Override
    public ByteSize convert(String value) {
        try {
            return ByteSize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
