package vault

import (
	"math/rand/v2"
	"testing"
	"time"

	pqotp "github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// BenchmarkCodes1000 computes the current code of 1,000 TOTP accounts with
// mixed hashes, digits and periods, as the codes screen does on each tick:
// once with Account.Code and once with pquerna/otp's
// totp.GenerateCodeCustom on the same accounts, so the ratio shows in one
// run. ns/account is the figure to read.
func BenchmarkCodes1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	algs := []Algorithm{SHA1, SHA256, SHA512}
	pqAlgs := map[Algorithm]pqotp.Algorithm{SHA1: pqotp.AlgorithmSHA1, SHA256: pqotp.AlgorithmSHA256, SHA512: pqotp.AlgorithmSHA512}
	accounts := make([]Account, 1000)
	secrets := make([]string, len(accounts)) // pquerna takes base32 text
	for i := range accounts {
		accounts[i] = Account{Type: TOTP, Secret: otpRandomBytes(rng, 20+rng.IntN(45)), Algorithm: algs[i%3],
			Digits: 6 + rng.IntN(3), Period: []int{30, 30, 30, 60}[rng.IntN(4)]}
		secrets[i] = accounts[i].SecretBase32()
	}
	now := time.Unix(1_700_000_000, 0)

	b.Run("authdesk", func(b *testing.B) {
		for b.Loop() {
			for _, a := range accounts {
				if _, err := a.Code(now); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(accounts)), "ns/account")
	})
	b.Run("pquerna", func(b *testing.B) {
		for b.Loop() {
			for i, a := range accounts {
				_, err := totp.GenerateCodeCustom(secrets[i], now, totp.ValidateOpts{
					Period: uint(a.Period), Digits: pqotp.Digits(a.Digits), Algorithm: pqAlgs[a.Algorithm]})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(accounts)), "ns/account")
	})
}
