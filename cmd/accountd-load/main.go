// Command accountd-load measures accountd on loopback: concurrent clients
// (32 by default) for a fixed time against one in-process instance on
// SQLite and one on PostgreSQL, for
//
//   - POST /v1/login/mfa with TOTP: every request a fresh valid code on a
//     fresh aal 1 session, as real sign-ins are;
//   - POST /v1/login with the password, which argon2id bounds: the bare
//     argon2id hash time is measured in the same run for comparison.
//
// It prints requests per second, p50/p90/p99/p99.9/max latency and the
// error count. -profile-dir writes CPU, mutex and block profiles of each
// measurement (without the seeding), -db picks the databases.
//
//	go run ./cmd/accountd-load -duration 30s            # SQLite, and PostgreSQL if -pg or AUTHDESK_TEST_PG
//	scripts/testenv go run ./cmd/accountd-load -duration 30s
//	go run ./cmd/accountd-load -db sqlite -duration 10s -profile-dir /tmp/prof
//
// Users, TOTP keys and aal 1 sessions for the login/mfa run are written
// straight into the database beforehand (signing in 50 000 sessions through
// argon2id would take longer than the run): each user's code is used for
// successive time steps only (the service refuses a step twice), the
// current step's and the next's, never the last step's (a request in flight
// when the step turns would rightly be refused), so a user serves two
// requests in its first 30 s and one in each 30 s after, and many users
// are made. The run is bounded by -duration and -max-requests, and talks
// only to 127.0.0.1.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/crypto/argon2"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/seal"
	"github.com/authdesk/authdesk/enroll/service"
	"github.com/authdesk/authdesk/enroll/store"
	"github.com/authdesk/authdesk/vault"
)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "how long each measurement runs")
	clients := flag.Int("clients", 32, "concurrent clients")
	maxRequests := flag.Int("max-requests", 200000, "stop a measurement after this many requests")
	pg := flag.String("pg", os.Getenv("AUTHDESK_TEST_PG"), "PostgreSQL server URL to create a scratch database on (empty: SQLite only)")
	usersPerClient := flag.Int("users-per-client", 0, "seeded TOTP users per client (0: enough for -duration)")
	dbs := flag.String("db", "sqlite,postgres", "the databases to measure, of sqlite and postgres (postgres only with -pg)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	flag.StringVar(&profileDir, "profile-dir", "", "write a CPU profile of each measurement (not the seeding) to `dir`/KIND-ENDPOINT.cpu.pprof, and the mutex and block profiles (cumulative from the first measurement on) beside it")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "accountd-load:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*duration, *clients, *maxRequests, *pg, *usersPerClient, strings.Split(*dbs, ",")); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "accountd-load:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, clients, maxRequests int, pg string, usersPerClient int, dbs []string) error {
	// The bare argon2id hash, with the service's parameters.
	res := testing.Benchmark(func(b *testing.B) {
		salt := make([]byte, 16)
		for i := 0; i < b.N; i++ {
			argon2.IDKey([]byte("benchmark password"), salt, 2, 19456, 1, 32)
		}
	})
	hashTime := time.Duration(res.NsPerOp())
	fmt.Printf("argon2id (m=19 MiB, t=2, p=1) bare hash: %v per hash, one core\n", hashTime.Round(10*time.Microsecond))

	if usersPerClient == 0 {
		// A user serves 2 requests in its first step (the codes of that
		// step and the next) and one in each step after; assume at most
		// 8000 requests/s overall.
		perUser := 2 + duration.Seconds()/30
		usersPerClient = max(50, int(8000*duration.Seconds()/perUser)/clients+20)
	}
	var kinds []string
	for _, kind := range dbs {
		switch {
		case kind == "sqlite", kind == "postgres" && pg != "":
			kinds = append(kinds, kind)
		case kind != "postgres":
			return fmt.Errorf("-db: unknown database %q (sqlite or postgres)", kind)
		}
	}
	for _, kind := range kinds {
		dsn, cleanup, err := scratchDB(kind, pg)
		if err != nil {
			return err
		}
		err = measure(kind, dsn, duration, clients, maxRequests, usersPerClient, hashTime)
		cleanup()
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
	}
	return nil
}

func scratchDB(kind, pg string) (string, func(), error) {
	if kind == "sqlite" {
		dir, err := os.MkdirTemp("", "accountd-load-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "load.db"), func() { os.RemoveAll(dir) }, nil
	}
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return "", nil, err
	}
	name := "accountd_load_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	u, err := url.Parse(pg)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}, nil
}

type loadUser struct {
	email    string
	secret   []byte
	sessions []string // aal 1 session tokens, one per request
	lastStep int64
}

const password = "load test password"

func measure(kind, dsn string, duration time.Duration, clients, maxRequests, usersPerClient int, hashTime time.Duration) error {
	key := make([]byte, 32)
	rand.Read(key)
	box, err := seal.New(key) // the seeded TOTP keys are sealed as the service seals them
	if err != nil {
		return err
	}
	svc, err := service.New(service.Config{DB: dsn, Dev: true, Logger: slog.New(slog.DiscardHandler), SecretKey: key})
	if err != nil {
		return err
	}
	defer svc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: svc}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	transport := &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2}
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	ctx := context.Background()

	// One real account gives the password hash the seeded users share.
	c := &enroll.Client{BaseURL: base, HTTP: hc}
	if _, err := c.Signup(ctx, "seed@load.test", password, "Seed"); err != nil {
		return err
	}
	code, err := c.LatestCode(ctx, "seed@load.test")
	if err != nil {
		return err
	}
	if _, err := c.VerifyEmail(ctx, "seed@load.test", code); err != nil {
		return err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	seed, err := st.UserByEmail(ctx, "seed@load.test")
	if err != nil {
		return err
	}

	// Two requests in the first step, one in each step after.
	sessionsPerUser := 2 + int(duration/(30*time.Second)) + 1
	fmt.Printf("\n== %s: seeding %d users with TOTP and %d aal-1 sessions\n", kind, clients*usersPerClient, clients*usersPerClient*sessionsPerUser)
	seedStart := time.Now()
	users := make([][]*loadUser, clients)
	var seedErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	now := time.Now()
	for ci := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ui := range usersPerClient {
				u, err := seedUser(ctx, st, box, seed.PasswordHash, fmt.Sprintf("u%d-%d@load.test", ci, ui), sessionsPerUser, now)
				if err != nil {
					mu.Lock()
					seedErr = err
					mu.Unlock()
					return
				}
				users[ci] = append(users[ci], u)
			}
		}()
	}
	wg.Wait()
	if seedErr != nil {
		return fmt.Errorf("seed: %w", seedErr)
	}
	fmt.Printf("seeded in %v\n", time.Since(seedStart).Round(time.Millisecond))

	// POST /v1/login/mfa with TOTP.
	stopProfile, err := startProfiles(kind + "-login-mfa")
	if err != nil {
		return err
	}
	mfa := runLoad(clients, duration, maxRequests, func(ci int) (func() (bool, error), bool) {
		step := time.Now().Unix() / 30
		for _, u := range users[ci] {
			// The code of the current step or the next, never of the step
			// before: a request in flight across a step boundary would find
			// the server on the next step, where that code is (rightly) no
			// longer accepted.
			next := max(u.lastStep+1, step)
			if next > step+1 || len(u.sessions) == 0 {
				continue
			}
			code, err := vault.Account{Type: vault.TOTP, Secret: u.secret, Algorithm: vault.SHA1, Digits: 6, Period: 30}.CodeAt(uint64(next))
			if err != nil {
				return nil, false
			}
			u.lastStep = next
			tok := u.sessions[0]
			u.sessions = u.sessions[1:]
			cl := &enroll.Client{BaseURL: base, HTTP: hc, Token: tok}
			return func() (bool, error) {
				r, err := cl.LoginMFA(ctx, "totp", code)
				if err == nil && r.AAL != 2 {
					err = fmt.Errorf("aal %d after login/mfa", r.AAL)
				}
				return true, err
			}, true
		}
		return nil, false // this client has used up its users
	})
	if err := stopProfile(); err != nil {
		return err
	}
	mfa.print("POST /v1/login/mfa (totp)")

	// POST /v1/login with the password.
	idx := make([]int, clients)
	if stopProfile, err = startProfiles(kind + "-login"); err != nil {
		return err
	}
	login := runLoad(clients, duration, maxRequests, func(ci int) (func() (bool, error), bool) {
		u := users[ci][idx[ci]%len(users[ci])]
		idx[ci]++
		cl := &enroll.Client{BaseURL: base, HTTP: hc}
		return func() (bool, error) {
			_, err := cl.Login(ctx, u.email, password)
			return true, err
		}, true
	})
	if err := stopProfile(); err != nil {
		return err
	}
	login.print("POST /v1/login (password)")
	fmt.Printf("  argon2id bare hash %v; %d clients on %d cores can do at most ~%.0f logins/s\n",
		hashTime.Round(10*time.Microsecond), clients, numCPU(), float64(numCPU())/hashTime.Seconds())
	if mfa.errors > 0 || login.errors > 0 {
		return fmt.Errorf("%d errors (first: %v)", mfa.errors+login.errors, errors.Join(mfa.firstErr, login.firstErr))
	}
	return nil
}

// seedUser writes a verified user with a confirmed TOTP key and n aal 1
// sessions straight into the store. Tokens are hashed as the service
// does: hex SHA-256.
func seedUser(ctx context.Context, st *store.Store, box *seal.Box, hash, email string, n int, now time.Time) (*loadUser, error) {
	id := strings.ToLower(rand.Text())
	secret := make([]byte, 20)
	rand.Read(secret)
	if err := st.CreateUser(ctx, store.User{ID: id, Email: email, Name: "Load", PasswordHash: hash,
		PasswordChangedAt: now, EmailVerifiedAt: now, CreatedAt: now}); err != nil {
		return nil, err
	}
	acct := vault.Account{Secret: secret}
	if err := st.PutPendingFactor(ctx, store.Factor{UserID: id, Kind: "totp", Secret: box.Seal(id, acct.SecretBase32()), CreatedAt: now}); err != nil {
		return nil, err
	}
	if _, err := st.ConfirmFactor(ctx, id, "totp", now, 0); err != nil {
		return nil, err
	}
	u := &loadUser{email: email, secret: secret}
	for range n {
		tok := rand.Text() + rand.Text()
		sum := sha256.Sum256([]byte(tok))
		if err := st.CreateSession(ctx, store.Session{ID: strings.ToLower(rand.Text()), TokenHash: hex.EncodeToString(sum[:]),
			UserID: id, AAL: 1, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
			return nil, err
		}
		u.sessions = append(u.sessions, tok)
	}
	return u, nil
}

type result struct {
	n, errors int
	elapsed   time.Duration
	lat       []time.Duration
	firstErr  error
	exhausted bool
}

// runLoad runs clients goroutines for duration; next(ci) prepares one
// request of client ci (false: the client has nothing left to send).
func runLoad(clients int, duration time.Duration, maxRequests int, next func(ci int) (func() (bool, error), bool)) result {
	var total atomic.Int64
	lats := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var firstErr atomic.Value
	var exhausted atomic.Bool
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for ci := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && total.Add(1) <= int64(maxRequests) {
				req, ok := next(ci)
				if !ok {
					exhausted.Store(true)
					return
				}
				t := time.Now()
				_, err := req()
				lats[ci] = append(lats[ci], time.Since(t))
				if err != nil {
					errs[ci]++
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	r := result{elapsed: time.Since(start), exhausted: exhausted.Load()}
	for ci := range clients {
		r.lat = append(r.lat, lats[ci]...)
		r.errors += errs[ci]
	}
	r.n = len(r.lat)
	if e, ok := firstErr.Load().(error); ok {
		r.firstErr = e
	}
	slices.Sort(r.lat)
	return r
}

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

func (r result) print(name string) {
	msec := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("%-28s %7d requests in %5.1fs = %7.0f req/s   p50 %7.2fms   p99 %7.2fms   errors %d",
		name, r.n, r.elapsed.Seconds(), float64(r.n)/r.elapsed.Seconds(), msec(r.pct(0.50)), msec(r.pct(0.99)), r.errors)
	if r.exhausted {
		fmt.Print("   (seeded users used up: raise -users-per-client)")
	}
	fmt.Println()
	if len(r.lat) > 0 {
		fmt.Printf("%-28s p90 %.2fms   p99.9 %.2fms   max %.2fms\n", "", msec(r.pct(0.90)), msec(r.pct(0.999)), msec(r.lat[len(r.lat)-1]))
	}
	if r.firstErr != nil {
		fmt.Println("  first error:", r.firstErr)
	}
}

func numCPU() int { return runtime.NumCPU() }

var profileDir string

// startProfiles starts the CPU profile and the mutex and block sampling of
// one measurement when -profile-dir is given; the function it returns stops
// them and writes name.cpu.pprof, name.mutex.pprof and name.block.pprof.
func startProfiles(name string) (stop func() error, err error) {
	if profileDir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		return nil, err
	}
	cpu, err := os.Create(filepath.Join(profileDir, name+".cpu.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, fmt.Errorf("cpu profile (is -cpuprofile also set?): %w", err)
	}
	runtime.SetMutexProfileFraction(10)
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	return func() error {
		pprof.StopCPUProfile()
		runtime.SetMutexProfileFraction(0)
		runtime.SetBlockProfileRate(0)
		err := cpu.Close()
		for _, p := range []string{"mutex", "block"} {
			f, ferr := os.Create(filepath.Join(profileDir, name+"."+p+".pprof"))
			if ferr != nil {
				return ferr
			}
			ferr = pprof.Lookup(p).WriteTo(f, 0)
			if cerr := f.Close(); ferr == nil {
				ferr = cerr
			}
			err = errors.Join(err, ferr)
		}
		return err
	}, nil
}
