package service

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// Hostile input gets the right 4xx and error code, never a 500.
func TestHostileInput(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) { hostile(t, kind) })
	}
}

func hostile(t *testing.T, kind string) {
	e := start(t, kind, Config{})
	ctx := context.Background()

	// SQL metacharacters in every text field are stored and read back verbatim.
	nasty := []string{
		`Robert'); DROP TABLE users;--`,
		`" OR "1"="1`,
		`' OR 1=1 --`,
		`%_\ $1 ?; /* */ ''`,
		`Åsa Öberg 😀 <script>`,
	}
	email := "o'brien+x@example.com"
	pw := `pa'ss"; DROP TABLE sessions;--`
	c := e.signup(email, pw)
	for _, v := range nasty {
		me := must[*enroll.Me](t)(c.UpdateMe(ctx, enroll.UpdateMeRequest{Name: ptr(v), TradeName: ptr(v), Country: ptr(v), City: ptr(v)}))
		if me.Name != v || me.TradeName != v || me.Country != v || me.City != v {
			t.Fatalf("stored %q, read back %+v", v, me)
		}
		got := must[*enroll.Me](t)(c.Me(ctx))
		if got.Name != v || got.City != v {
			t.Fatalf("stored %q, read back %q", v, got.Name)
		}
		_, err := c.UpdateMe(ctx, enroll.UpdateMeRequest{Phone: ptr(v)})
		wantErr(t, err, 400, "invalid_phone")
		_, err = c.UpdateMe(ctx, enroll.UpdateMeRequest{BirthDate: ptr(v)})
		if ae := wantErr(t, err, 400, "too_long"); ae.Field != "birth_date" {
			t.Fatalf("field %q", ae.Field)
		}
		_, err = e.client().Login(ctx, email, v)
		wantErr(t, err, 401, "invalid_credentials")
		_, err = e.client().Signup(ctx, v, "a fine password", v)
		wantErr(t, err, 400, "invalid_email")
		wantErr(t, c.RevokeSession(ctx, v), 404, "not_found")
	}
	// The account with quotes in its address and password still signs in
	// (after the lock-out the wrong passwords above earned).
	e.clock.Add(31 * time.Second)
	c2, _ := e.login(email, pw)
	must[*enroll.Me](t)(c2.Me(ctx))
	_, err := c.UpdateMe(ctx, enroll.UpdateMeRequest{Name: ptr("nul\x00byte")})
	wantErr(t, err, 400, "invalid_value")
	_, err = c.UpdateMe(ctx, enroll.UpdateMeRequest{Name: ptr(strings.Repeat("x", 201))})
	wantErr(t, err, 400, "too_long")
	_, err = c.UpdateMe(ctx, enroll.UpdateMeRequest{BirthDate: ptr("2999-01-01")})
	wantErr(t, err, 400, "invalid_date")

	tok := c.Token
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"oversized body", "POST", "/v1/signup", "", `{"email":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "body_too_large"},
		{"oversized body, authenticated", "PATCH", "/v1/me", tok, `{"name":"` + strings.Repeat("a", 65<<10) + `"}`, 413, "body_too_large"},
		{"wrong type", "POST", "/v1/signup", "", `{"email":5,"password":"x","name":"y"}`, 400, "invalid_type"},
		{"wrong type bool", "POST", "/v1/me/close", tok, `{"password":"x","acknowledged":"yes"}`, 400, "invalid_type"},
		{"wrong type null ok, then required", "POST", "/v1/login", "", `{"email":null,"password":null}`, 400, "required"},
		{"array body", "POST", "/v1/login", "", `[]`, 400, "invalid_json"},
		{"string body", "POST", "/v1/login", "", `"hello"`, 400, "invalid_json"},
		{"broken JSON", "POST", "/v1/login", "", `{"email":`, 400, "invalid_json"},
		{"trailing data", "POST", "/v1/login", "", `{"email":"a@b.c","password":"x"} {}`, 400, "invalid_json"},
		{"empty body", "POST", "/v1/login", "", ``, 400, "empty_body"},
		{"unknown field", "POST", "/v1/signup", "", `{"email":"a@b.se","password":"long enough pw","name":"n","admin":true}`, 400, "unknown_field"},
		{"unknown field in patch", "PATCH", "/v1/me", tok, `{"email":"new@example.com"}`, 400, "unknown_field"},
		{"missing auth", "GET", "/v1/me", "", ``, 401, "unauthorized"},
		{"missing auth on mfa", "POST", "/v1/login/mfa", "", `{"method":"totp","code":"123456"}`, 401, "unauthorized"},
		{"forged token", "GET", "/v1/me", "forged-" + strings.Repeat("A", 36), ``, 401, "invalid_session"},
		{"forged long token", "GET", "/v1/me", strings.Repeat("A", 5000), ``, 401, "invalid_session"},
		{"SQL in token", "GET", "/v1/me", "' OR 1=1 --", ``, 401, "invalid_session"},
		{"bad method", "POST", "/v1/login/mfa", tok, `{"method":"carrier-pigeon","code":"1"}`, 400, "invalid_method"},
		{"SQL in code", "POST", "/v1/email/verify", "", `{"email":"o'brien+x@example.com","code":"' OR 1=1"}`, 409, "already_verified"},
		{"unknown endpoint", "GET", "/v1/nope", "", ``, 404, "not_found"},
		{"outbox filter with SQL", "GET", "/v1/dev/outbox?to=%27%20OR%201%3D1", "", ``, 200, ""},
	} {
		status, code := e.raw(tc.method, tc.path, tc.token, tc.body)
		if status != tc.status || code != tc.code {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, status, code, tc.status, tc.code)
		}
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "Basic "+tok)
	if resp, err := e.srv.Client().Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("Basic auth: %v %v", resp.StatusCode, err)
	}

	// Every route, signed in with a privileged aal 2 session, with garbage
	// bodies: never a 500.
	_, _ = e.enableTOTP(c, pw)
	must[*enroll.ReauthResponse](t)(c.Reauth(ctx, pw))
	bodies := []string{"", "{", "[]", "null", `"x"`, "{}", `{"code":{}}`, `{"code":"' OR ''='"}`, `{"method":1}`,
		`{"phone":"+46701234567"}`, `{"password":"` + pw + `"}`, `{"x":"y"}`, strings.Repeat("[", 10000)}
	for _, rt := range e.svc.routes {
		if rt.path == "/v1/me/close" || rt.path == "/v1/mfa" || (rt.method == "DELETE" && strings.HasPrefix(rt.path, "/v1/mfa/")) ||
			rt.path == "/v1/logout" || rt.path == "/v1/me/password" || strings.Contains(rt.path, "{id}") {
			continue // these end the session or the account; tested elsewhere
		}
		for _, b := range bodies {
			status, code := e.raw(rt.method, rt.path, c.Token, b)
			if status >= 500 {
				t.Errorf("%s %s with %.20q: %d %s", rt.method, rt.path, b, status, code)
			}
		}
	}

	// An expired session is refused with its own code.
	e.clock.Add(25 * time.Hour)
	_, err = c.Me(ctx)
	wantErr(t, err, 401, "session_expired")
}

// Without --dev the outbox does not exist.
func TestOutboxOnlyInDevMode(t *testing.T) {
	box, addr := startSMTP(t)
	_ = box
	e := start(t, "sqlite", Config{SMTP: addr})
	if status, code := e.raw("GET", "/v1/dev/outbox", "", ""); status != 404 || code != "not_found" {
		t.Fatalf("outbox without --dev: %d %s", status, code)
	}
	for _, r := range e.svc.Routes() {
		if strings.Contains(r, "/dev/") {
			t.Fatalf("route %s exists without --dev", r)
		}
	}
	e.raw("GET", "/v1/health", "", "")
}
