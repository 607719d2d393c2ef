package fleet

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Resolver looks a host name up (net.Resolver.LookupNetIP's shape).
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// ResolveBound bounds the whole lookup of a targets file's host names: a
// name not resolved by then is compared by its spelling alone (and is
// that target's error when it runs, never the fleet's).
const ResolveBound = 5 * time.Second

// SystemResolver is the system's resolver.
func SystemResolver(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// endpoint is a host and port one entry talks to.
type endpoint struct {
	target, key string // the entry's name, and which URL (url, web, http)
	host        string // lower case, without a trailing dot
	port        string
	addrs       []netip.Addr
}

// defaultPorts are the schemes' default ports.
var defaultPorts = map[string]string{"ws": "80", "http": "80", "wss": "443", "https": "443"}

// CheckConflicts refuses two entries that talk to the same host and port
// through any of their URLs (url, web, http): the same device run twice
// at once would see two runs' logins, lockouts and reconfigurations.
// Hosts are compared without letter case, a URL without a port by its
// scheme's default, and by address after resolving the names with
// resolve, all at once, within ctx and ResolveBound. A name that does not
// resolve is compared by its spelling.
func CheckConflicts(ctx context.Context, ts []Target, resolve Resolver) error {
	var eps []endpoint
	names := map[string][]netip.Addr{}
	for _, t := range ts {
		for _, u := range []struct{ key, raw string }{{"url", t.URL}, {"web", t.Web}, {"http", t.HTTP}} {
			if u.raw == "" {
				continue
			}
			p, err := url.Parse(u.raw)
			if err != nil {
				continue // Parse refused it already
			}
			ep := endpoint{target: t.Name, key: u.key, host: strings.TrimSuffix(strings.ToLower(p.Hostname()), "."), port: p.Port()}
			if ep.port == "" {
				ep.port = defaultPorts[p.Scheme]
			}
			if a, err := netip.ParseAddr(ep.host); err == nil {
				ep.addrs = []netip.Addr{a.Unmap()}
			} else {
				names[ep.host] = nil
			}
			eps = append(eps, ep)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, ResolveBound)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	resolved := map[string][]netip.Addr{}
	for name := range names {
		wg.Go(func() {
			addrs, err := resolve(ctx, name)
			if err != nil {
				return
			}
			var out []netip.Addr
			for _, a := range addrs {
				out = append(out, a.Unmap())
			}
			mu.Lock()
			defer mu.Unlock()
			resolved[name] = out
		})
	}
	wg.Wait()
	for name, as := range resolved {
		names[name] = as
	}
	for i := range eps {
		if as, ok := names[eps[i].host]; ok {
			eps[i].addrs = as
		}
	}
	for i, a := range eps {
		for _, b := range eps[i+1:] {
			if a.target == b.target || a.port != b.port || !sameHost(a, b) {
				continue
			}
			return fmt.Errorf("targets %s and %s are the same device: %s's %s and %s's %s are both %s port %s (every entry must name its own device)",
				a.target, b.target, a.target, a.key, b.target, b.key, hostWord(a, b), a.port)
		}
	}
	return nil
}

func sameHost(a, b endpoint) bool {
	if a.host == b.host {
		return true
	}
	for _, x := range a.addrs {
		for _, y := range b.addrs {
			if x == y {
				return true
			}
		}
	}
	return false
}

func hostWord(a, b endpoint) string {
	if a.host == b.host {
		return a.host
	}
	return fmt.Sprintf("%s and %s (one address)", a.host, b.host)
}
