package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/theme"
	"github.com/kdigest/kdigest/feed/web"
	"github.com/kdigest/kdigest/schedule"
	gomail "github.com/wneessen/go-mail"
)

// settingGroup is a set of settings a command accepts.
type settingGroup uint

const (
	// groupThemes is the taxonomy file alone (inspect, themes).
	groupThemes settingGroup = 1 << iota
	// groupAddr is the listen address (healthcheck).
	groupAddr
	// groupService is every setting: serve, digest, subscribers, build and
	// config share one environment.
	groupService
)

// setting is one configuration value with a flag, an environment twin and a
// key in the config file (the flag name).
type setting struct {
	name   string
	env    string
	def    string
	usage  string
	secret bool // masked by "kdigest config"
	// boolean settings are flags that stand alone ("--include-irrelevant");
	// "--include-irrelevant=false" turns them off.
	boolean bool
	// fileEnv, when set, is a second environment variable naming a file
	// (the container-secret convention, e.g. /run/secrets/smtp). The
	// value is the file's content, or, when the setting's value is a file
	// path anyway (pathValued), the file's path.
	fileEnv    string
	pathValued bool
	groups     settingGroup
	apply      func(c *config, v string) error
}

// config is the effective configuration of one command run.
type config struct {
	File              string
	Seeds             string
	Data              string
	Addr              string
	BaseURL           string
	FeedID            string
	Themes            string
	TZ                *time.Location
	FeedSize          int
	IncludeIrrelevant bool
	WebSubHub         string
	Rescan            time.Duration
	DigestSchedule    string
	SMTP              string
	From              string
	UnsubscribeMailto *mail.Address // nil when not set
	DKIMKey           string
	DKIMSelector      string
	Templates         string
	Window            time.Duration
	PerTheme          int
	LogLevel          slog.Level
	TrustedProxies    []netip.Prefix
	MetricsAddr       string

	// smtp is the parsed SMTP URL, nil in outbox mode; from is the parsed
	// From address; signer is the DKIM signer of --dkim-key, nil without
	// one. validate makes them, once, before any command runs, and the
	// commands use them as they are.
	smtp   *digest.SMTPConfig
	from   *mail.Address
	signer *gomail.DKIMSigner

	// values and sources record, per setting, the effective text and where
	// it came from, for "kdigest config".
	values  map[string]string
	sources map[string]string
}

func settings() []setting {
	str := func(dst func(c *config) *string) func(c *config, v string) error {
		return func(c *config, v string) error { *dst(c) = v; return nil }
	}
	positive := func(dst func(c *config) *int) func(c *config, v string) error {
		return func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("want a positive whole number, got %q", v)
			}
			*dst(c) = n
			return nil
		}
	}
	// duration's example is one the setting accepts (10m is no --window).
	duration := func(dst func(c *config) *time.Duration, min time.Duration, example string) func(c *config, v string) error {
		return func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < min {
				return fmt.Errorf("want a duration of at least %s such as %s, got %q", strings.TrimSuffix(strings.TrimSuffix(min.String(), "0s"), "0m"), example, v)
			}
			*dst(c) = d
			return nil
		}
	}
	return []setting{
		{name: "config", env: "KDIGEST_CONFIG", usage: "optional config file (TOML) with any of these settings, keyed by flag name", groups: groupService | groupAddr | groupThemes,
			apply: str(func(c *config) *string { return &c.File })},
		{name: "seeds", env: "KDIGEST_SEEDS", def: "./seeds", usage: "folder of raw article .txt files", groups: groupService,
			apply: str(func(c *config) *string { return &c.Seeds })},
		{name: "data", env: "KDIGEST_DATA", def: "./data", usage: "folder for the database, secret and outbox (created on first run)", groups: groupService,
			apply: str(func(c *config) *string { return &c.Data })},
		{name: "addr", env: "KDIGEST_ADDR", def: "127.0.0.1:8080", usage: "HTTP listen address", groups: groupService | groupAddr,
			apply: func(c *config, v string) error {
				if err := checkHostPort(v); err != nil {
					return err
				}
				c.Addr = v
				return nil
			}},
		{name: "base-url", env: "KDIGEST_BASE_URL", usage: "public URL of the service, used for every absolute link (default http:// + addr, 127.0.0.1 for an addr without a host)", groups: groupService,
			apply: func(c *config, v string) error {
				if v == "" {
					c.BaseURL = ""
					return nil
				}
				base, err := feed.ParseBaseURL(v)
				if err != nil {
					return fmt.Errorf("want an absolute http(s) URL with a host, got %q", maskURL(v))
				}
				c.BaseURL = base
				return nil
			}},
		{name: "feed-id", env: "KDIGEST_FEED_ID", usage: "AUTHORITY,DATE of every feed and entry id (tag:AUTHORITY,DATE:...), e.g. example.org,2026; stored, so later runs keep it (default: fixed at the first run from --base-url's host and the year)", groups: groupService,
			apply: func(c *config, v string) error {
				if v == "" {
					c.FeedID = ""
					return nil
				}
				if _, err := feed.ParseFeedID(v); err != nil {
					return fmt.Errorf("want AUTHORITY,DATE such as example.org,2026, got %q", v)
				}
				c.FeedID = v
				return nil
			}},
		{name: "themes", env: "KDIGEST_THEMES", usage: "taxonomy file (TOML) replacing the embedded default", groups: groupService | groupThemes,
			apply: str(func(c *config) *string { return &c.Themes })},
		{name: "tz", env: "KDIGEST_TZ", def: "UTC", usage: "IANA time zone for the digest schedule and the dates in the digest", groups: groupService,
			apply: func(c *config, v string) error {
				loc, err := time.LoadLocation(v)
				if err != nil {
					return fmt.Errorf("unknown time zone %q", v)
				}
				c.TZ = loc
				return nil
			}},
		{name: "feed-size", env: "KDIGEST_FEED_SIZE", def: "50", usage: "entries per feed", groups: groupService,
			apply: positive(func(c *config) *int { return &c.FeedSize })},
		{name: "include-irrelevant", env: "KDIGEST_INCLUDE_IRRELEVANT", def: "false", boolean: true, usage: "keep off-topic articles in feeds and digests", groups: groupService,
			apply: func(c *config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return fmt.Errorf("want true or false, got %q", v)
				}
				c.IncludeIrrelevant = b
				return nil
			}},
		{name: "websub-hub", env: "KDIGEST_WEBSUB_HUB", usage: "WebSub hub URL to advertise in feeds and ping on change", groups: groupService,
			apply: func(c *config, v string) error {
				if v != "" {
					if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
						return fmt.Errorf("want an absolute http(s) URL, got %q", maskURL(v))
					}
				}
				c.WebSubHub = v
				return nil
			}},
		{name: "rescan", env: "KDIGEST_RESCAN", def: "10m", usage: "interval of the full rescan that catches what the watcher missed", groups: groupService,
			apply: duration(func(c *config) *time.Duration { return &c.Rescan }, time.Second, "10m")},
		{name: "digest-schedule", env: "KDIGEST_DIGEST_SCHEDULE", def: "0 8 * * MON", usage: `cron spec of the weekly digest (5 fields or @weekly), or "off"; the daily digest runs every day at its hour and minute`, groups: groupService,
			apply: str(func(c *config) *string { return &c.DigestSchedule })},
		{name: "smtp", env: "KDIGEST_SMTP", fileEnv: "KDIGEST_SMTP_FILE", secret: true, usage: "SMTP URL: smtp://user:pass@host:587 (STARTTLS), smtps://host:465, ?tls=none for a loopback relay; empty writes .eml files to DATA/outbox", groups: groupService,
			apply: str(func(c *config) *string { return &c.SMTP })},
		{name: "from", env: "KDIGEST_FROM", def: "kdigest@localhost", usage: "From address of the digest", groups: groupService,
			apply: str(func(c *config) *string { return &c.From })},
		{name: "unsubscribe-mailto", env: "KDIGEST_UNSUBSCRIBE_MAILTO", usage: "an address someone reads, offered as mailto: in List-Unsubscribe; empty offers the one-click URL alone", groups: groupService,
			apply: func(c *config, v string) error {
				c.UnsubscribeMailto = nil
				if v != "" {
					a, err := mail.ParseAddress(v)
					if err != nil {
						return fmt.Errorf("want an email address, got %q", v)
					}
					c.UnsubscribeMailto = a
				}
				return nil
			}},
		{name: "dkim-key", env: "KDIGEST_DKIM_KEY", fileEnv: "KDIGEST_DKIM_KEY_FILE", pathValued: true, usage: "PEM private key file for DKIM signing (RSA or Ed25519)", groups: groupService,
			apply: str(func(c *config) *string { return &c.DKIMKey })},
		{name: "dkim-selector", env: "KDIGEST_DKIM_SELECTOR", usage: "DKIM selector (required with --dkim-key)", groups: groupService,
			apply: str(func(c *config) *string { return &c.DKIMSelector })},
		{name: "templates", env: "KDIGEST_TEMPLATES", usage: "folder of templates overriding the embedded digest.html.tmpl and digest.txt.tmpl", groups: groupService,
			apply: str(func(c *config) *string { return &c.Templates })},
		{name: "window", env: "KDIGEST_WINDOW", def: "168h", usage: "how far back the first digest looks", groups: groupService,
			apply: duration(func(c *config) *time.Duration { return &c.Window }, time.Hour, "168h")},
		{name: "per-theme", env: "KDIGEST_PER_THEME", def: "10", usage: `items per theme in the digest before "and N more"`, groups: groupService,
			apply: positive(func(c *config) *int { return &c.PerTheme })},
		{name: "trusted-proxy", env: "KDIGEST_TRUSTED_PROXY", usage: "comma-separated CIDR ranges of the reverse proxies whose X-Forwarded-For or Forwarded header names the client, e.g. 127.0.0.1/32,::1", groups: groupService,
			apply: func(c *config, v string) error {
				list, err := web.ParseTrustedProxies(v)
				if err != nil {
					return fmt.Errorf("want CIDR ranges such as 127.0.0.1/32,10.0.0.0/8: %w", err)
				}
				c.TrustedProxies = list
				return nil
			}},
		{name: "metrics-addr", env: "KDIGEST_METRICS_ADDR", usage: "listen address of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9464; empty serves no metrics", groups: groupService,
			apply: func(c *config, v string) error {
				if v != "" {
					if err := checkHostPort(v); err != nil {
						return err
					}
				}
				c.MetricsAddr = v
				return nil
			}},
		{name: "log-level", env: "KDIGEST_LOG_LEVEL", def: "info", usage: "debug, info, warn or error", groups: groupService,
			apply: func(c *config, v string) error {
				if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
					return fmt.Errorf("want debug, info, warn or error, got %q", v)
				}
				return nil
			}},
	}
}

func settingsFor(g settingGroup) []setting {
	var out []setting
	for _, s := range settings() {
		if s.groups&g != 0 {
			out = append(out, s)
		}
	}
	return out
}

// flagValues holds the raw text of each setting's flag.
type flagValues map[string]*settingFlag

// settingFlag is a setting's flag: its text, and whether it may stand
// alone like a boolean flag of package flag.
type settingFlag struct {
	text    string
	boolean bool
}

func (f *settingFlag) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

func (f *settingFlag) Set(v string) error { f.text = v; return nil }

// IsBoolFlag makes "--include-irrelevant" alone mean true, as package flag
// does for its own booleans.
func (f *settingFlag) IsBoolFlag() bool { return f.boolean }

func registerSettings(fs *flag.FlagSet, g settingGroup, skip ...string) flagValues {
	vals := flagValues{}
	for _, s := range settingsFor(g) {
		if slices.Contains(skip, s.name) {
			continue // the command's own flag has this name
		}
		f := &settingFlag{text: s.def, boolean: s.boolean}
		fs.Var(f, s.name, s.usage)
		vals[s.name] = f
	}
	return vals
}

// loadConfig resolves every setting of the group: flag > environment >
// config file > default, then checks them all with validate. Each error
// names the setting and where the bad value came from.
func loadConfig(fs *flag.FlagSet, flags flagValues, g settingGroup, getenv func(string) string) (*config, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	pick := func(s setting) (string, string, error) {
		if f, ok := flags[s.name]; ok && set[s.name] {
			return f.text, "flag --" + s.name, nil
		}
		v := getenv(s.env)
		if s.fileEnv == "" || getenv(s.fileEnv) == "" {
			if v != "" {
				return v, "environment " + s.env, nil
			}
			return "", "", nil
		}
		path := getenv(s.fileEnv)
		src := "environment " + s.fileEnv
		if v != "" {
			return "", src, fmt.Errorf("set %s or %s, not both", s.env, s.fileEnv)
		}
		if s.pathValued {
			return path, src, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", src, fmt.Errorf("read the secret: %w", err)
		}
		return strings.TrimSpace(string(b)), src + " (" + path + ")", nil
	}

	c := &config{values: map[string]string{}, sources: map[string]string{}}
	var file map[string]string
	// Every command reads the config file the service reads: healthcheck
	// its addr, themes and inspect its themes.
	if cf := settings()[0]; cf.groups&g != 0 {
		path, _, _ := pick(cf)
		if path != "" {
			var err error
			if file, err = readConfigFile(path); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range settingsFor(g) {
		v, src, err := pick(s)
		if err != nil {
			return nil, fmt.Errorf("%s (from %s): %w", s.name, src, err)
		}
		if src == "" {
			if fv, ok := file[s.name]; ok {
				v, src = fv, "config file "+c.File
			} else {
				v, src = s.def, "default"
			}
		}
		if err := s.apply(c, v); err != nil {
			return nil, fmt.Errorf("%s (from %s): %w", s.name, src, err)
		}
		c.values[s.name], c.sources[s.name] = v, src
	}
	if c.TZ == nil {
		c.TZ = time.UTC
	}
	if c.BaseURL == "" && c.Addr != "" {
		// An address without a host (":8080", "0.0.0.0:8080") listens on
		// loopback too, and is no host a link can name.
		c.BaseURL = "http://" + loopbackAddr(c.Addr)
	}
	if g&groupService != 0 {
		if err := validate(c, time.Now()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// validate checks what one setting alone cannot: the settings every
// command of the service shares (serve, digest, config, ...) are checked
// here, once, so that a command never accepts what another rejects.
func validate(c *config, now time.Time) error {
	bad := func(name string, err error) error {
		return fmt.Errorf("%s (from %s): %w", name, c.sources[name], err)
	}
	if err := schedule.CheckSpec(c.DigestSchedule, c.TZ, now); err != nil {
		return bad("digest-schedule", err)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return bad("from", fmt.Errorf("want an address such as digest@example.org or \"Karabakh digest <digest@example.org>\", got %q", c.From))
	}
	if _, err := digest.NormalizeAddress(from.Address); err != nil {
		return bad("from", err)
	}
	c.from = from
	if c.SMTP != "" {
		sc, err := digest.ParseSMTPURL(c.SMTP)
		if err != nil {
			return bad("smtp", err)
		}
		c.smtp = &sc
	}
	if (c.DKIMKey == "") != (c.DKIMSelector == "") {
		return errors.New("dkim-key and dkim-selector go together: set both or neither")
	}
	if c.DKIMKey != "" {
		pem, err := os.ReadFile(c.DKIMKey)
		if err != nil {
			return bad("dkim-key", err)
		}
		_, domain, _ := strings.Cut(from.Address, "@")
		if c.signer, err = digest.NewDKIMSigner(pem, domain, c.DKIMSelector); err != nil {
			return bad("dkim-key", fmt.Errorf("%s: %w", c.DKIMKey, err))
		}
	}
	if c.Themes != "" {
		// Loaded here as well as where it is used, so that "config" and
		// every command refuse a file that would stop serve.
		if _, err := theme.Load(c.Themes); err != nil {
			return bad("themes", err)
		}
	}
	if c.Templates != "" {
		if st, err := os.Stat(c.Templates); err != nil || !st.IsDir() {
			return bad("templates", fmt.Errorf("%s is not a folder", c.Templates))
		}
		if err := digest.CheckTemplates(os.DirFS(c.Templates)); err != nil {
			return bad("templates", err)
		}
	}
	return nil
}

// envPrefix starts the name of every environment variable kdigest reads.
const envPrefix = "KDIGEST_"

// unknownEnv returns a warning for each KDIGEST_ variable of environ that
// is no setting's, with the likely intended name when there is one: a
// misspelt variable is otherwise silently ignored.
func unknownEnv(environ []string) []string {
	known := map[string]bool{}
	var names []string
	for _, s := range settings() {
		for _, n := range []string{s.env, s.fileEnv} {
			if n != "" {
				known[n] = true
				names = append(names, n)
			}
		}
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, envPrefix) || known[k] {
			continue
		}
		w := fmt.Sprintf("environment variable %s is not a kdigest setting: ignored", k)
		if near := nearest(k, names); near != "" {
			w += fmt.Sprintf(" (did you mean %s?)", near)
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// nearest returns the name closest to k, if it is close: the same but for
// underscores, or at most two edits away.
func nearest(k string, names []string) string {
	flat := func(s string) string { return strings.ReplaceAll(s, "_", "") }
	best, bestD := "", 3
	for _, n := range names {
		if flat(n) == flat(k) {
			return n
		}
		if d := editDistance(k, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two ASCII strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// readConfigFile reads a TOML file of settings keyed by flag name. Unknown
// keys are errors, not silently ignored.
func readConfigFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("config file %s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.name] = true
	}
	out := map[string]string{}
	var unknown []string
	for k, v := range raw {
		if !known[k] || k == "config" {
			unknown = append(unknown, k)
			continue
		}
		switch v := v.(type) {
		case string, bool, int64, float64:
			out[k] = fmt.Sprint(v)
		default:
			return nil, fmt.Errorf("config file %s: %s: want a string, number or boolean", path, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("config file %s: unknown setting %s", path, strings.Join(unknown, ", "))
	}
	return out, nil
}

// masked returns the setting's effective value with secrets hidden: the
// password of any URL, and the whole value of a secret setting that is not
// a URL.
func masked(s setting, v string) string {
	if s.secret && v != "" {
		if u, err := url.Parse(v); err != nil || u.Host == "" {
			return "********"
		}
	}
	return maskURL(v)
}

// maskURL hides the password of a URL, parsed or not, for any message that
// shows the URL: everything between the first ':' after "//" and the last
// '@' becomes ********. It may hide a little more than the password of an
// odd URL, never less.
func maskURL(raw string) string {
	i := strings.Index(raw, "//")
	if i < 0 {
		return raw
	}
	rest := raw[i+2:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	colon := strings.Index(rest[:at], ":")
	if colon < 0 {
		return raw
	}
	return raw[:i+2] + rest[:colon+1] + "********" + rest[at:]
}

// checkHostPort refuses a listen address that is not host:port with a
// port number from 0 to 65535 (":99999" would pass net.SplitHostPort and
// fail at listen). A service name ("http") is refused too: the default
// base URL and healthcheck's URL are made of the address, and a URL's
// port is a number.
func checkHostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("want host:port, got %q", v)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("want host:port with a port from 0 to 65535, got %q", v)
	}
	return nil
}
