// Package enroll is the API of accountd, Authdesk's account service: the
// request and response types of every endpoint, the error shape, and
// Client, which drives the flows over HTTP for the desktop app, authctl and
// the tests.
//
// A session in three calls:
//
//	c := enroll.NewClient("http://127.0.0.1:8470")
//	r, err := c.Login(ctx, email, password)        // c.Token is now set
//	if r.MFA.Required {
//		r, err = c.LoginMFA(ctx, enroll.MethodTOTP, code)
//	}
//
// Every refusal is an *Error with the HTTP status, a stable Code
// ("reauth_required", "invalid_code", …), a message for people and the
// request Field at fault. The full contract is openapi.yaml in this
// directory (OpenAPI holds it), served by the service at /v1/openapi.yaml.
//
// The client uses only net/http and encoding/json: the API is small and
// plain JSON, and a generated client would hide exactly what a reader of
// this package wants to see.
package enroll
