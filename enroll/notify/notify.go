// Package notify delivers the service's messages: e-mail over SMTP, SMS by
// an HTTP webhook, or — in dev mode — into the outbox table, where
// GET /v1/dev/outbox and the desktop app's Mailbox tab read them.
//
// The SMTP client is the standard library's net/smtp: the service only
// submits plain-text mail to a relay (STARTTLS when offered), which net/smtp
// does completely; the tests talk to it with a real server,
// github.com/emersion/go-smtp. The webhook is a JSON POST with net/http.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/authdesk/authdesk/enroll/store"
)

// Message is one e-mail or SMS. Subject is empty for SMS.
type Message struct {
	Channel string // "email" or "sms"
	To      string // an e-mail address or a phone number
	Subject string
	Body    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends e-mail through an SMTP server without authentication, as to a
// local relay, using STARTTLS when the server offers it.
type SMTP struct {
	Addr string // host:port
	From string // the envelope and header sender
}

// Send delivers m by SMTP.
func (s SMTP) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To+s.From, "\r\n") {
		return errors.New("send mail: line break in an address")
	}
	var d net.Dialer
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
	}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("send mail via %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("send mail via %s: %w", s.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("send mail via %s: starttls: %w", s.Addr, err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("send mail via %s: MAIL FROM: %w", s.Addr, err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("send mail via %s: RCPT TO: %w", s.Addr, err)
	}
	wc, err := c.Data()
	if err != nil {
		return fmt.Errorf("send mail via %s: DATA: %w", s.Addr, err)
	}
	if _, err := wc.Write(formatMail(s.From, m, time.Now())); err != nil {
		return fmt.Errorf("send mail via %s: %w", s.Addr, err)
	}
	if err := wc.Close(); err != nil {
		return fmt.Errorf("send mail via %s: %w", s.Addr, err)
	}
	return c.Quit()
}

// formatMail renders an RFC 5322 plain-text message with CRLF line ends.
func formatMail(from string, m Message, now time.Time) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	rand.Read(id)
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%x@%s>\r\n", id, domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body := strings.ReplaceAll(m.Body, "\r\n", "\n")
	for _, line := range strings.Split(body, "\n") {
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// Webhook sends SMS by POSTing {"to": number, "body": text} as JSON to URL;
// any 2xx answer counts as sent.
type Webhook struct {
	URL    string
	Client *http.Client // nil: a client with a 15 s timeout
}

// Send posts m to the webhook.
func (w Webhook) Send(ctx context.Context, m Message) error {
	payload, err := json.Marshal(struct {
		To   string `json:"to"`
		Body string `json:"body"`
	}{m.To, m.Body})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("send sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL may carry a token; say only which host failed.
		return fmt.Errorf("send sms via webhook %s: %w", req.URL.Host, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("send sms via webhook %s: %s", req.URL.Host, resp.Status)
	}
	return nil
}

// Outbox keeps messages in the database instead of sending them (dev mode).
type Outbox struct {
	Store *store.Store
	Now   func() time.Time
}

// Send appends m to the outbox.
func (o Outbox) Send(ctx context.Context, m Message) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if err := o.Store.AddMessage(ctx, store.Message{
		ID: rand.Text(), Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, SentAt: now(),
	}); err != nil {
		return fmt.Errorf("add message to outbox: %w", err)
	}
	return nil
}
