package main

import (
	"fmt"
	"net"
	"strconv"
)

// mailMode says where digests go: to an SMTP relay, or, without --smtp,
// to .eml files in the outbox folder, where nothing is sent. serve's
// start-up line, /healthz and "kdigest config" all say it, so that outbox
// mode is never mistaken for sending.
type mailMode struct {
	Mode   string `json:"mode"` // "smtp" or "outbox"
	Relay  string `json:"relay,omitempty"`
	TLS    string `json:"tls,omitempty"`
	Outbox string `json:"outbox,omitempty"`
}

func mailModeOf(c *config) mailMode {
	if c.smtp == nil {
		return mailMode{Mode: "outbox", Outbox: outboxDir(c)}
	}
	return mailMode{Mode: "smtp", Relay: net.JoinHostPort(c.smtp.Host, strconv.Itoa(c.smtp.Port)), TLS: c.smtp.TLS}
}

// String is the mode in a sentence.
func (m mailMode) String() string {
	if m.Mode == "outbox" {
		return fmt.Sprintf("outbox mode (no --smtp): digests are written to %s as .eml files, not sent", m.Outbox)
	}
	return fmt.Sprintf("SMTP relay %s (TLS: %s)", m.Relay, m.TLS)
}
