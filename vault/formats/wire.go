package formats

import (
	"errors"
	"io"
	"math"
)

// The protobuf wire format, as much of it as Google's migration payload
// needs: varints, tags, length-delimited fields, and skipping the rest.
// Hand-written rather than google.golang.org/protobuf's protowire: linking
// that package runs its init, which reads the executable from disk, in every
// authctl command, and `authctl code` has a budget of a few milliseconds.
// wire_test.go checks it against protowire.

type (
	fieldNumber int32
	wireType    int8
)

const (
	varintType     wireType = 0
	fixed64Type    wireType = 1
	bytesType      wireType = 2
	startGroupType wireType = 3
	endGroupType   wireType = 4
	fixed32Type    wireType = 5
)

var (
	errTruncated     = io.ErrUnexpectedEOF
	errOverflow      = errors.New("variable length integer overflow")
	errFieldNumber   = errors.New("invalid field number")
	errWireType      = errors.New("invalid wire type")
	errEndGroup      = errors.New("mismatching end group marker")
	errNestedTooDeep = errors.New("groups nested too deeply")
)

// consumeVarint reads a varint and returns it and its length.
func consumeVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if i == len(b) {
			return 0, 0, errTruncated
		}
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0, errOverflow
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errOverflow
}

// consumeTag reads a field's tag: its number and wire type.
func consumeTag(b []byte) (fieldNumber, wireType, int, error) {
	v, n, err := consumeVarint(b)
	if err != nil {
		return 0, 0, 0, err
	}
	num := v >> 3
	if num < 1 || num > math.MaxInt32 { // as protowire checks
		return 0, 0, 0, errFieldNumber
	}
	return fieldNumber(num), wireType(v & 7), n, nil
}

// consumeBytes reads a length-delimited value.
func consumeBytes(b []byte) ([]byte, int, error) {
	size, n, err := consumeVarint(b)
	if err != nil {
		return nil, 0, err
	}
	if size > uint64(len(b)-n) {
		return nil, 0, errTruncated
	}
	return b[n : n+int(size)], n + int(size), nil
}

// consumeField skips the value of field num, of wire type typ, at b.
func consumeField(num fieldNumber, typ wireType, b []byte) (int, error) {
	return consumeFieldDepth(num, typ, b, 0)
}

func consumeFieldDepth(num fieldNumber, typ wireType, b []byte, depth int) (int, error) {
	switch typ {
	case varintType:
		_, n, err := consumeVarint(b)
		return n, err
	case fixed32Type:
		if len(b) < 4 {
			return 0, errTruncated
		}
		return 4, nil
	case fixed64Type:
		if len(b) < 8 {
			return 0, errTruncated
		}
		return 8, nil
	case bytesType:
		_, n, err := consumeBytes(b)
		return n, err
	case startGroupType:
		if depth == 100 {
			return 0, errNestedTooDeep
		}
		for total := 0; ; {
			num2, typ2, n, err := consumeTag(b[total:])
			if err != nil {
				return 0, err
			}
			total += n
			if typ2 == endGroupType {
				if num2 != num {
					return 0, errEndGroup
				}
				return total, nil
			}
			n, err = consumeFieldDepth(num2, typ2, b[total:], depth+1)
			if err != nil {
				return 0, err
			}
			total += n
		}
	case endGroupType:
		return 0, errEndGroup
	}
	return 0, errWireType
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, num fieldNumber, typ wireType) []byte {
	return appendVarint(b, uint64(num)<<3|uint64(typ&7))
}

func appendBytes(b, v []byte) []byte {
	return append(appendVarint(b, uint64(len(v))), v...)
}

func appendString(b []byte, v string) []byte {
	return append(appendVarint(b, uint64(len(v))), v...)
}
