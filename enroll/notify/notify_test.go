package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWebhookPostsJSON(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Error(err)
		}
		if strings.Contains(r.URL.Path, "fail") {
			http.Error(w, "no", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	err := Webhook{URL: srv.URL + "/sms"}.Send(context.Background(), Message{Channel: "sms", To: "+46701234567", Body: "code: 123456"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["to"] != "+46701234567" || got["body"] != "code: 123456" {
		t.Fatalf("webhook got %v", got)
	}
	err = Webhook{URL: srv.URL + "/fail?token=s3cret"}.Send(context.Background(), Message{To: "+46701234567", Body: "x"})
	if err == nil || !strings.Contains(err.Error(), "502") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("failing webhook: %v", err)
	}
}

func TestFormatMail(t *testing.T) {
	m := string(formatMail("noreply@authdesk.test", Message{To: "a@example.com", Subject: "Kod för Åsa", Body: "line 1\nline 2"},
		time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)))
	for _, want := range []string{"From: noreply@authdesk.test\r\n", "To: a@example.com\r\n", "Subject: =?utf-8?q?",
		"Content-Type: text/plain; charset=utf-8\r\n", "\r\n\r\nline 1\r\nline 2\r\n", "@authdesk.test>\r\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("mail lacks %q:\n%s", want, m)
		}
	}
	if err := (SMTP{Addr: "127.0.0.1:1", From: "x@y"}).Send(context.Background(), Message{To: "a@b\r\nBcc: evil@x"}); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Fatalf("header injection: %v", err)
	}
}
