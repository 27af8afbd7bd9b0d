package service

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// mailbox is a real SMTP server (go-smtp) on loopback that keeps what it
// receives.
type mailbox struct {
	mu    sync.Mutex
	mails []received
	got   chan struct{}
}

type received struct {
	from string
	to   []string
	data string
}

type smtpSession struct {
	box *mailbox
	cur received
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, s.cur)
	s.box.mu.Unlock()
	s.box.got <- struct{}{}
	return nil
}

func startSMTP(t *testing.T) (*mailbox, string) {
	box := &mailbox{got: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{box: box}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().String()
}

func (b *mailbox) wait(t *testing.T) received {
	t.Helper()
	select {
	case <-b.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no mail arrived")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mails[len(b.mails)-1]
}

// A real SMTP exchange: the verification mail arrives at an SMTP server and
// its code verifies the address. Without --dev there is no outbox.
func TestVerificationMailOverSMTP(t *testing.T) {
	box, addr := startSMTP(t)
	e := start(t, "sqlite", Config{SMTP: addr, MailFrom: "noreply@authdesk.test"})
	ctx := context.Background()
	if _, err := e.client().Outbox(ctx); err == nil {
		t.Fatal("the outbox is served without --dev")
	} else {
		wantErr(t, err, 404, "not_found")
	}
	const email, pw = "dave@example.com", "smtp test password"
	e.secret(pw)
	c := e.client()
	must[*enroll.SignupResponse](t)(c.Signup(ctx, email, pw, "Dave"))
	m := box.wait(t)
	if m.from != "noreply@authdesk.test" || len(m.to) != 1 || m.to[0] != email {
		t.Fatalf("envelope from %q to %q", m.from, m.to)
	}
	if !strings.Contains(m.data, "Subject: Your Authdesk verification code") || !strings.Contains(m.data, "To: "+email) {
		t.Fatalf("mail:\n%s", m.data)
	}
	code := enroll.CodeIn(m.data[strings.Index(m.data, "\r\n\r\n"):])
	if code == "" {
		t.Fatalf("no code in the mail:\n%s", m.data)
	}
	e.secret(code)
	r := must[*enroll.SessionResponse](t)(c.VerifyEmail(ctx, email, code))
	e.secret(r.SessionToken)
	if r.Next != enroll.NextSetup2FA {
		t.Fatalf("verify = %+v", r)
	}
	// A 2FA change sends a notification by SMTP too.
	e.enableTOTP(c, pw)
	if n := box.wait(t); !strings.Contains(n.data, "two-factor authentication changed") {
		t.Fatalf("notification:\n%s", n.data)
	}
}

// An unreachable mail server gives 503 delivery_failed, not 500.
func TestMailDeliveryFailure(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	e := start(t, "sqlite", Config{SMTP: addr})
	_, err := e.client().Signup(context.Background(), "erin@example.com", "some password here", "Erin")
	wantErr(t, err, 503, "delivery_failed")
	e.secret("some password here")
}

func TestNoMailRouteIsRefused(t *testing.T) {
	_, err := New(Config{DB: storetest.DSN(t, "sqlite"), SecretKey: testKey})
	if err == nil || !strings.Contains(err.Error(), "--smtp") {
		t.Fatalf("New without mail = %v", err)
	}
}
