package formats

import (
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// FuzzWire checks the hand-written wire reader against protowire: the same
// values, lengths and failures on any input.
func FuzzWire(f *testing.F) {
	f.Add([]byte{0x0a, 0x03, 'a', 'b', 'c', 0x10, 0x96, 0x01})
	f.Add([]byte{0x0b, 0x08, 0x01, 0x0c})                                     // a group
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}) // overflow
	f.Add([]byte{0x0d, 1, 2, 3, 4, 0x09, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n, err := consumeVarint(b)
		pv, pn := protowire.ConsumeVarint(b)
		if (err != nil) != (pn < 0) || err == nil && (v != pv || n != pn) {
			t.Fatalf("varint %x: %d %d %v, protowire %d %d", b, v, n, err, pv, pn)
		}
		num, typ, n, err := consumeTag(b)
		pnum, ptyp, pn := protowire.ConsumeTag(b)
		if (err != nil) != (pn < 0) || err == nil && (int32(num) != int32(pnum) || int8(typ) != int8(ptyp) || n != pn) {
			t.Fatalf("tag %x: %d %d %d %v, protowire %d %d %d", b, num, typ, n, err, pnum, ptyp, pn)
		}
		bs, n, err := consumeBytes(b)
		pbs, pn := protowire.ConsumeBytes(b)
		if (err != nil) != (pn < 0) || err == nil && (string(bs) != string(pbs) || n != pn) {
			t.Fatalf("bytes %x: %d %v, protowire %d", b, n, err, pn)
		}
		if err != nil {
			return
		}
		if len(b) > 0 {
			for typ := range wireType(8) {
				n, err := consumeField(1, typ, b)
				pn := protowire.ConsumeFieldValue(1, protowire.Type(typ), b)
				if err == errNestedTooDeep {
					continue
				}
				if (err != nil) != (pn < 0) || err == nil && n != pn {
					t.Fatalf("field of type %d %x: %d %v, protowire %d", typ, b, n, err, pn)
				}
			}
		}
	})
}

func TestWireAppend(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<63 - 1, 1<<64 - 1} {
		if got, want := appendVarint(nil, v), protowire.AppendVarint(nil, v); string(got) != string(want) {
			t.Errorf("varint %d: %x, protowire %x", v, got, want)
		}
	}
	if got, want := appendTag(nil, 7, bytesType), protowire.AppendTag(nil, 7, protowire.BytesType); string(got) != string(want) {
		t.Errorf("tag: %x, protowire %x", got, want)
	}
	if got, want := appendString(appendBytes(nil, []byte("ab")), "c"), protowire.AppendString(protowire.AppendBytes(nil, []byte("ab")), "c"); string(got) != string(want) {
		t.Errorf("bytes: %x, protowire %x", got, want)
	}
}
