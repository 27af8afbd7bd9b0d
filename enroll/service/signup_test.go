package service

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// FuzzSignup sends arbitrary bodies to POST /v1/signup: the answer is
// always JSON, never a 500, and an error always has the documented shape.
func FuzzSignup(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@example.com","password":"long enough password","name":"A"}`,
		`{"email":"a@example.com","password":"short","name":"A"}`,
		`{"email":5}`, `{"email":"x"}`, `[]`, `{`, ``, `null`, `{"name":"\u0000"}`,
		`{"email":"a@b.c","password":"` + strings.Repeat("p", 70) + `","name":"n"}`,
		`{"email":"a@b.co","password":"passw0rd!!","name":"n","extra":1}`,
	} {
		f.Add([]byte(s))
	}
	svc, err := New(Config{DB: storetest.DSN(f, "sqlite"), Dev: true, Logger: slog.New(slog.DiscardHandler), SecretKey: testKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close() })
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, svc, "POST", "/v1/signup", string(body))
	})
}

// FuzzLoginMFA sends arbitrary bodies to POST /v1/login/mfa on a signed-in
// session with TOTP turned on.
func FuzzLoginMFA(f *testing.F) {
	for _, s := range []string{
		`{"method":"totp","code":"123456"}`, `{"method":"backup_code","code":"abcde-12345"}`,
		`{"method":"sms","code":"000000"}`, `{"method":"email","code":" 1 2 3 4 5 6 "}`,
		`{"method":"x","code":"1"}`, `{"method":["totp"]}`, `{"code":1e400}`, `{}`, `{"method":"totp","code":"１２３４５６"}`,
	} {
		f.Add([]byte(s))
	}
	clk := &clock{t: time.Now()}
	svc, err := New(Config{DB: storetest.DSN(f, "sqlite"), Dev: true, Logger: slog.New(slog.DiscardHandler), Now: clk.Now, SecretKey: testKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close() })
	srv := httptest.NewServer(svc)
	f.Cleanup(srv.Close)
	e := &env{t: f, svc: svc, srv: srv, clock: clk, logs: &logBuffer{}}
	c := e.signup("fuzz@example.com", "fuzzing password")
	e.enableTOTP(c, "fuzzing password")
	s, _ := e.login("fuzz@example.com", "fuzzing password")
	f.Fuzz(func(t *testing.T, body []byte) {
		clk.Add(time.Hour) // past any lock-out, so codes are really checked
		checkAnswer(t, svc, "POST", "/v1/login/mfa", string(body), s.Token)
	})
}

func checkAnswer(t *testing.T, h http.Handler, method, path, body string, token ...string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if len(token) > 0 {
		req.Header.Set("Authorization", "Bearer "+token[0])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var eb enroll.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Fatalf("%s %s %q: %d with body %q", method, path, body, rec.Code, rec.Body)
		}
	} else if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s %q: %d with non-JSON body %q", method, path, body, rec.Code, rec.Body)
	}
}
