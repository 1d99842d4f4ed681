//go:build linux

// Package smtptest starts a real SMTP server for tests: Debian's aiosmtpd
// (python3-aiosmtpd, installed by .ci/deps) on a free loopback port,
// delivering every message it accepts to a Maildir the test reads.
package smtptest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Find locates a Python that has aiosmtpd: HELPCENTRE_SMTPD_PYTHON, else
// Debian's /usr/bin/python3, else python3 on PATH.
func Find() (string, error) {
	var tried []string
	for _, p := range []string{os.Getenv("HELPCENTRE_SMTPD_PYTHON"), "/usr/bin/python3", "python3"} {
		if p == "" {
			continue
		}
		bin, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		tried = append(tried, bin)
		if exec.Command(bin, "-c", "import aiosmtpd").Run() == nil {
			return bin, nil
		}
	}
	return "", fmt.Errorf("no Python with aiosmtpd (tried %v): install Debian's python3-aiosmtpd (.ci/deps)", tried)
}

// Server is a running aiosmtpd.
type Server struct {
	Addr    string // 127.0.0.1:port
	Maildir string
	cmd     *exec.Cmd
	mu      sync.Mutex
	out     bytes.Buffer
	done    chan struct{}
}

func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// Output is what the server printed.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// URL is the server as --smtp-url takes it (no TLS: a loopback test server).
func (s *Server) URL() string { return "smtp://" + s.Addr + "?starttls=off" }

// Start starts aiosmtpd with python on a free port, delivering to a new
// Maildir under dir, and waits until it greets.
func Start(python, dir string) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Maildir: filepath.Join(dir, "Maildir"), done: make(chan struct{})}
	s.cmd = exec.Command(python, "-m", "aiosmtpd", "-n", "-l", s.Addr, "-c", "aiosmtpd.handlers.Mailbox", s.Maildir)
	s.cmd.Stdout, s.cmd.Stderr = s, s
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start aiosmtpd: %w", err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("aiosmtpd exited before greeting: %s", s.Output())
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "220") {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("aiosmtpd not greeting after 15s: %s", s.Output())
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// Stop ends the server.
func (s *Server) Stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(3 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// Message is one delivered mail, decoded.
type Message struct {
	File    string
	Header  mail.Header
	To      string // the envelope's recipients (X-RcptTo)
	Subject string
	Body    string // the text, decoded
}

// Messages returns the delivered mails, oldest first.
func (s *Server) Messages() ([]Message, error) {
	var out []Message
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(s.Maildir, sub))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			path := filepath.Join(s.Maildir, sub, e.Name())
			m, err := readMessage(path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			out = append(out, m)
		}
	}
	// Maildir names start with the delivery time in seconds: sort by the
	// Date header, then by name.
	sort.SliceStable(out, func(i, j int) bool {
		di, _ := out[i].Header.Date()
		dj, _ := out[j].Header.Date()
		if !di.Equal(dj) {
			return di.Before(dj)
		}
		return out[i].File < out[j].File
	})
	return out, nil
}

func readMessage(path string) (Message, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Message{}, err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Message{}, err
	}
	var body []byte
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body, err = io.ReadAll(quotedprintable.NewReader(msg.Body))
	} else {
		body, err = io.ReadAll(msg.Body)
	}
	if err != nil {
		return Message{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	return Message{File: filepath.Base(path), Header: msg.Header, To: msg.Header.Get("X-RcptTo"), Subject: subject,
		Body: strings.ReplaceAll(string(body), "\r\n", "\n")}, nil
}

// WaitFor waits up to timeout for a delivered mail to address whose
// subject contains subject, and returns it.
func (s *Server) WaitFor(t testing.TB, to, subject string, timeout time.Duration) Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ms, err := s.Messages()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if strings.Contains(strings.ToLower(m.To), strings.ToLower(to)) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range ms {
				got = append(got, m.To+": "+m.Subject)
			}
			t.Fatalf("no mail to %s about %q within %v; the server has %q (output %s)", to, subject, timeout, got, s.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Need starts a server for a test package's TestMain-less tests: it fails
// the test under CI (CI=true: .ci/deps must have installed aiosmtpd) and
// skips it elsewhere when aiosmtpd is missing. The server stops when t ends.
func Need(t testing.TB) *Server {
	t.Helper()
	py, err := Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("smtp: %v; CI must install it with .ci/deps", err)
		}
		t.Skipf("smtp: %v", err)
	}
	s, err := Start(py, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}
