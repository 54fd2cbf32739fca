// termprobe's driver for Go's net/http: makes the one request described by
// os.Args[1] and prints one JSON result (README.md, "Contract"). Standard
// library only, one file, so `go build -o X termprobe_client.go` builds it.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type connectTo struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type request struct {
	Client    string     `json:"client"`
	URL       string     `json:"url"`
	ConnectTo *connectTo `json:"connect_to"`
	Method    string     `json:"method"`
	Headers   [][]string `json:"headers"`
	BodyFile  *string    `json:"body_file"`
	Insecure  bool       `json:"insecure"`
	CAFile    *string    `json:"ca_file"`
	HTTP      string     `json:"http"`
	TimeoutS  float64    `json:"timeout_s"`
	Rounds    int        `json:"rounds"`
}

type clientError struct {
	Type    string   `json:"type"`
	Message string   `json:"message"`
	Cause   []string `json:"cause,omitempty"`
}

type result struct {
	Client         string       `json:"client"`
	Version        string       `json:"version"`
	Outcome        string       `json:"outcome"`
	Status         *int         `json:"status"`
	HTTPVersion    *string      `json:"http_version"`
	BodyBytes      *int64       `json:"body_bytes"`
	DeclaredLength *int64       `json:"declared_length"`
	Error          *clientError `json:"error"`
	Requests       *int         `json:"requests"`
}

// stableType drops what varies between runs (the *url.Error's method and
// URL, the *net.OpError's addresses): "EOF", "read: connection reset by peer".
func stableType(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		err = opErr.Err
	}
	return err.Error()
}

func describe(err error) *clientError {
	described := &clientError{Type: stableType(err), Message: err.Error()}
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(inner) {
		described.Cause = append(described.Cause, fmt.Sprintf("%T: %v", inner, inner))
	}
	return described
}

// transport is net/http's default one with the dial sent to connect_to, as
// curl's --connect-to: TLS (ServerName, name check, ALPN) is still done by
// the transport for the URL's host, and HTTP/2 stays on by ALPN.
func transport(req *request, target *url.URL) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{InsecureSkipVerify: req.Insecure}
	if req.CAFile != nil {
		pem, err := os.ReadFile(*req.CAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate in %s", *req.CAFile)
		}
		t.TLSClientConfig.RootCAs = pool
	}
	if req.HTTP == "1.1" {
		t.ForceAttemptHTTP2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	if req.ConnectTo != nil {
		from := net.JoinHostPort(target.Hostname(), portOf(target))
		to := net.JoinHostPort(req.ConnectTo.Host, strconv.Itoa(req.ConnectTo.Port))
		dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == from {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		}
	}
	return t, nil
}

func portOf(target *url.URL) string {
	if port := target.Port(); port != "" {
		return port
	}
	if target.Scheme == "https" {
		return "443"
	}
	return "80"
}

func newRequest(req *request, target *url.URL, counted *int) (*http.Request, error) {
	var body io.Reader
	if req.BodyFile != nil {
		data, err := os.ReadFile(*req.BodyFile)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	// WroteHeaders fires once per request written, a transport retry included.
	trace := &httptrace.ClientTrace{WroteHeaders: func() { *counted++ }}
	outgoing, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		req.Method, target.String(), body)
	if err != nil {
		return nil, err
	}
	for _, pair := range req.Headers {
		if strings.EqualFold(pair[0], "host") {
			outgoing.Host = pair[1]
		} else {
			outgoing.Header.Add(pair[0], pair[1])
		}
	}
	return outgoing, nil
}

func run(req *request) (*result, error) {
	res := &result{Client: req.Client, Version: runtime.Version(), Outcome: "error"}
	if req.HTTP == "2-prior-knowledge" {
		res.Outcome = "unsupported"
		res.Error = &clientError{Type: "unsupported",
			Message: "net/http has no h2c prior-knowledge mode (that is golang.org/x/net/http2, not the standard library)"}
		return res, nil
	}
	target, err := url.Parse(req.URL)
	if err != nil {
		return nil, err
	}
	t, err := transport(req, target)
	if err != nil {
		return nil, err
	}
	counted := 0
	res.Requests = &counted
	client := &http.Client{Transport: t, Timeout: time.Duration(req.TimeoutS * float64(time.Second))}
	// "rounds": the same client (and so its pool of kept-alive connections)
	// makes the request again; the last round's result is the run's, and an
	// earlier round's error ends the run there.
	for round := 0; round < max(req.Rounds, 1); round++ {
		if round > 0 {
			res.Outcome, res.Status, res.HTTPVersion, res.BodyBytes, res.DeclaredLength, res.Error =
				"error", nil, nil, nil, nil, nil
		}
		if err := oneRequest(req, target, client, res, &counted); err != nil {
			return nil, err
		}
		if res.Outcome != "response" {
			break
		}
	}
	return res, nil
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// oneRequest makes the request once and reads its whole body into res; an
// error returned is the driver's own (an unreadable body file).
func oneRequest(req *request, target *url.URL, client *http.Client, res *result, counted *int) error {
	outgoing, err := newRequest(req, target, counted)
	if err != nil {
		return err
	}
	response, err := client.Do(outgoing)
	if err != nil {
		res.Error = describe(err)
		return nil
	}
	defer response.Body.Close()
	keepResponse(res, response)
	n, err := io.Copy(io.Discard, response.Body)
	*res.BodyBytes = n
	if err != nil {
		res.Error = describe(err)
		return nil
	}
	res.Outcome = "response"
	return nil
}

func keepResponse(res *result, response *http.Response) {
	status := response.StatusCode
	version := strings.TrimSuffix(strings.TrimPrefix(response.Proto, "HTTP/"), ".0")
	if response.ProtoMajor == 1 {
		version = fmt.Sprintf("%d.%d", response.ProtoMajor, response.ProtoMinor)
	}
	var zero int64
	res.Status, res.HTTPVersion, res.BodyBytes = &status, &version, &zero
	if declared := response.Header.Get("Content-Length"); declared != "" {
		if n, err := strconv.ParseInt(declared, 10, 64); err == nil {
			res.DeclaredLength = &n
		}
	} else if response.ContentLength >= 0 {
		// Go takes Content-Length out of the header map on some paths; the parsed field keeps it.
		n := response.ContentLength
		res.DeclaredLength = &n
	}
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	res, err := run(&req)
	if err != nil {
		// The driver's own failure (unreadable body or CA file, bad URL): not the server's doing.
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false) // keeps "->" in socket errors readable
	if err := encoder.Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
