// Package scan reads QR codes out of pictures and draws them.
//
// Adding an account usually means pointing something at a QR code: a file
// the user saved, an image dropped on the window or pasted from the
// clipboard, or a capture of the screen (package scan/screen). All of these
// end here:
//
//	texts, err := scan.DecodeFile("setup.png") // or DecodeBytes, or Decode(img)
//	uris, err := scan.OTPAuth(texts)            // keep the otpauth:// ones, or say what the code was
//
// and the other way round, for showing a secret to a phone:
//
//	png, err := scan.Render(uri, 256)
//
// Decode returns every code in the image, in reading order, so an image with
// several accounts adds them all. DecodeBytes and DecodeFile take PNG, JPEG
// and GIF.
//
// # What Decode reads
//
// Screenshots are the hard case: a code of a few hundred pixels somewhere on
// a 4K desktop full of text. Three things about them defeat a plain QR
// reader, and Decode handles each:
//
//   - Size. gozxing's finder-pattern search normally steps over rows in
//     proportion to the image height — 16 rows at a time on a 4K screenshot,
//     enough to miss a code with modules under ~5 pixels. Decode asks it to
//     look at every third row (TRY_HARDER); on a 4K image that costs ~20% more
//     and reads codes down to 2 pixels per module.
//   - Dark mode. Some pages draw light modules on a dark background; QR
//     readers look for dark-on-light finder patterns. Decode tries the
//     negative next.
//   - Browser zoom. At 110–150% a module of 2 pixels becomes 2 or 3 (nearest-
//     neighbour) or a blur (smoothing); gozxing's module-size estimate then
//     misjudges the size of dense codes. Decode shrinks the picture by the
//     usual zoom factors (1.25, 1.5, 1.1, 1.333), which brings the modules
//     back to even widths, light then dark, and finally tries a global
//     instead of a local threshold.
//
// The attempts run cheapest and likeliest first and Decode stops at the
// first that reads anything, so the usual screenshot costs one pass (a 4K
// picture with no code at all costs all twelve, about half a second). Each
// later attempt read generated screenshots that the earlier ones missed. The
// tests check every image they require Decode to read against zbarimg, so
// none of them is a case a mature reader fails on. Codes with one pixel per
// module that were then zoomed are out of reach (zbarimg misses nearly all
// of them too).
//
// Speed comes from converting the image to 8-bit luminance once, reading
// the decoder's own pixel slices (the Y plane of a JPEG, a palette lookup for
// GIF, (R+2G+B)/4 for screen captures) instead of calling img.At per pixel as
// gozxing's own image adapter does: that alone makes a 4K screenshot four to
// five times faster to read (see bench_test.go). PNG screenshots (8-bit grey
// or RGB, with or without alpha, not interlaced) are inflated straight into
// luminance row by row rather than through image/png's full RGBA image,
// which took a third of a short-lived 'authctl scan'; every other PNG goes
// through image/png, and the tests and a differential fuzzer hold the two
// to the same output.
//
// # Limits
//
// Images over 50 megapixels are refused from their header, before any pixel
// memory is allocated, and so is a file too small to hold the pixels its
// header claims (compressed formats have a best-case ratio; a 40-byte PNG
// cannot be 7000×7000), so a hostile file cannot make Decode allocate more
// than a fixed multiple of its own size. A panic inside gozxing on a strange
// image is taken as "no code here" rather than allowed to crash the app.
//
// # Dependencies
//
//   - github.com/makiuchi-d/gozxing: a pure-Go port of ZXing, the reference
//     QR reader (error correction, every version and mask, structured
//     append), with a multi-code reader; pure Go keeps authctl free of cgo,
//     which zbar would need.
//   - github.com/skip2/go-qrcode: the most used pure-Go QR encoder; it draws
//     whole pixels per module with the standard quiet zone.
//   - golang.org/x/image: only in internal/shot, the test-image generator,
//     to zoom codes with the nearest-neighbour and bilinear scalers browsers
//     use.
package scan
