package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/suggest"
	"github.com/roomconform/conform/refserver"
)

func serveCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet("serve", stderr, "[--listen ADDR] [--profile NAME] [--fault NAME]... [--variant NAME]... [--list-faults] [--time-scale F] [--lockout-attempts N --lockout-window D]")
	listen := fs.String("listen", "127.0.0.1:8765", "address of the WebSocket control API (8765 is the device's default port)")
	httpListen := fs.String("http-listen", "127.0.0.1:8766", "address of the embedded HTTP server (8766 on a device)")
	webListen := fs.String("web-listen", "127.0.0.1:8767", "address of the web manager's config.json (port discovery, conform run --web)")
	fs.String("config", "", "YAML file of flag values, keys the flag names (never secrets); flags and CONFORM_* override it")
	profile := fs.String("profile", refserver.DefaultProfile, "protection profile: "+strings.Join(refserver.ProfileNames(), ", "))
	scale := fs.Float64("time-scale", 1, "divide token lifetimes and the lockout by this factor (1000: the 5-minute HTTP token lives 300 ms)")
	lockAttempts := fs.Int("lockout-attempts", 10, "wrong secured credentials that start the lockout (RC-6): in a row, or within --lockout-window")
	lockWindow := fs.Duration("lockout-window", 0, "count the wrong credentials of this long a window, whatever succeeds between them (0: count them in a row, a success resets); divided by --time-scale")
	lockFor := fs.Duration("lockout-duration", time.Minute, "how long the lockout lasts; divided by --time-scale")
	verbose := fs.Bool("v", false, "log connections and authorizations (never secrets or tokens)")
	var faults, variants listFlag
	fs.Var(&faults, "fault", "break one behaviour on purpose (repeatable; --list-faults shows them)")
	fs.Var(&variants, "variant", "pick another conformant behaviour of an accepted set (repeatable; --list-faults shows them)")
	listFaults := fs.Bool("list-faults", false, "print the faults and variants and exit")
	if _, code, ok := parseOrExit(fs, args, getenv, stderr); !ok {
		return code
	}
	if *listFaults {
		printFaults(stdout)
		return exitOK
	}
	if err := knownNames(faults, variants); err != nil {
		fmt.Fprintf(stderr, "conform serve: %v\n", err)
		return exitUsage
	}
	p, err := refserver.LookupProfile(*profile)
	if err != nil {
		fmt.Fprintf(stderr, "conform serve: %v\n", err)
		return exitUsage
	}
	if *scale <= 0 {
		fmt.Fprintf(stderr, "conform serve: --time-scale must be positive, not %v\n", *scale)
		return exitUsage
	}
	if *lockAttempts < 1 || *lockAttempts > maxLockoutAttempts || *lockWindow < 0 || *lockWindow > maxLockoutWait || *lockFor <= 0 || *lockFor > maxLockoutWait {
		fmt.Fprintf(stderr, "conform serve: --lockout-attempts must be 1 to %d, --lockout-window 0 to %v, --lockout-duration above 0 and at most %v\n", maxLockoutAttempts, maxLockoutWait, maxLockoutWait)
		return exitUsage
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	opts := refserver.Options{
		Profile:   p,
		HTTPAddr:  *httpListen,
		WebAddr:   *webListen,
		Faults:    faults,
		Variants:  variants,
		TimeScale: *scale,

		LockoutThreshold: *lockAttempts,
		LockoutWindow:    *lockWindow,
		LockoutDuration:  *lockFor,
		Logger:           slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
		Secrets: refserver.Secrets{
			AdminPassword: getenv("CONFORM_ADMIN_PASSWORD"),
			AdminPIN:      getenv("CONFORM_ADMIN_PIN"),
			UserPassword:  getenv("CONFORM_USER_PASSWORD"),
			UserPIN:       getenv("CONFORM_USER_PIN"),
		},
	}
	run, err := refserver.Start(*listen, opts)
	if err != nil {
		fmt.Fprintf(stderr, "conform serve: %v\n", err)
		return exitUnreachable
	}
	defer run.Close()
	fmt.Fprintf(stdout, "conform serve: %s listening on %s (profile %s: admin %s, user %s, plan %s)\n",
		version(), run.URL, p.Name, p.Admin, p.User, p.Plan)
	fmt.Fprintf(stdout, "  embedded HTTP server: %s\n  web manager: %s (conform run --web %s)\n", run.HTTPURL, run.WebURL, run.WebURL)
	if *scale != 1 {
		fmt.Fprintf(stdout, "  lifetimes and lockout divided by %g: judge it with conform run %s\n", *scale, matchingRunFlags(*scale))
	}
	// What the server does, after --time-scale: the banner's numbers are
	// the ones a client meets.
	scaled := func(d time.Duration) time.Duration { return time.Duration(float64(d) / *scale) }
	if *lockWindow > 0 {
		fmt.Fprintf(stdout, "  lockout: %d wrong credentials within %v (a success does not reset the count) lock secured logins for %v\n", *lockAttempts, scaled(*lockWindow), scaled(*lockFor))
	} else {
		fmt.Fprintf(stdout, "  lockout: %d wrong credentials in a row lock secured logins for %v\n", *lockAttempts, scaled(*lockFor))
	}
	if len(faults) > 0 {
		fmt.Fprintf(stdout, "  FAULTS ON (not conformant on purpose): %s\n", strings.Join(faults, ", "))
	}
	if len(variants) > 0 {
		fmt.Fprintf(stdout, "  variants: %s\n", strings.Join(variants, ", "))
	}
	printGenerated(stdout, opts.Secrets, run.Server.Secrets())
	fmt.Fprintln(stdout, "stop with Ctrl-C")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	<-sig
	fmt.Fprintln(stdout, "conform serve: stopping")
	if err := run.Close(); err != nil {
		fmt.Fprintf(stderr, "conform serve: %v\n", err)
		return exitUnreachable
	}
	return exitOK
}

// printGenerated prints, once, the secrets the server generated because the
// environment did not set them: this is the server's own console, and the
// operator needs them to log in. Secrets from the environment are not echoed.
func printGenerated(w io.Writer, given, eff refserver.Secrets) {
	for _, s := range []struct{ name, env, given, eff string }{
		{"admin password", "CONFORM_ADMIN_PASSWORD", given.AdminPassword, eff.AdminPassword},
		{"admin PIN", "CONFORM_ADMIN_PIN", given.AdminPIN, eff.AdminPIN},
		{"user password", "CONFORM_USER_PASSWORD", given.UserPassword, eff.UserPassword},
		{"user PIN", "CONFORM_USER_PIN", given.UserPIN, eff.UserPIN},
	} {
		switch {
		case s.eff == "":
		case s.given == "":
			fmt.Fprintf(w, "  %s (generated; set %s to choose): %s\n", s.name, s.env, s.eff)
		default:
			fmt.Fprintf(w, "  %s: from %s\n", s.name, s.env)
		}
	}
}

// printFaults prints the fault and variant tables of the reference server.
func printFaults(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tREQUIREMENT\tWHAT IT BREAKS")
	for _, f := range refserver.Faults() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, f.Requirement, f.Breaks)
	}
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintln(tw, "VARIANT\tREQUIREMENT\tWHAT IT DOES (conformant)")
	for _, v := range refserver.Variants() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, v.Requirement, v.Does)
	}
	tw.Flush()
}

// knownNames checks fault and variant names before anything starts, so a
// typo is a usage error (exit 2), not a failure to serve: it names the
// nearest fault or variant (a variant given as a fault, or the other way
// round, names the right flag).
func knownNames(faults, variants []string) error {
	var fs, vs []string
	for _, f := range refserver.Faults() {
		fs = append(fs, f.Name)
	}
	for _, v := range refserver.Variants() {
		vs = append(vs, v.Name)
	}
	for _, f := range faults {
		if !slices.Contains(fs, f) {
			return unknownName("fault", f, fs, "variant", vs)
		}
	}
	for _, v := range variants {
		if !slices.Contains(vs, v) {
			return unknownName("variant", v, vs, "fault", fs)
		}
	}
	return nil
}

// unknownName is the error of --kind name: name is of the other kind, or
// the nearest of its own kind is named.
func unknownName(kind, name string, own []string, other string, others []string) error {
	msg := fmt.Sprintf("unknown %s %q", kind, name)
	switch near := suggest.Nearest(name, own); {
	case slices.Contains(others, name):
		msg += fmt.Sprintf(": it is a %s (--%s %s)", other, other, name)
	case near != "":
		msg += fmt.Sprintf(": did you mean %s?", near)
	default:
		msg += " (conform serve --list-faults shows them)"
	}
	return errors.New(msg)
}

// matchingRunFlags are the conform run flags that judge a server whose
// lifetimes and lockout are divided by scale: the documented values
// divided likewise, a tolerance the real clock can keep (a tenth of the
// HTTP token's life, at least 100 ms, less than a third of it), and the
// lockout wait divided too. A machine too busy for them makes a timed case
// ERROR, never FAIL.
func matchingRunFlags(scale float64) string {
	d := caselang.DefaultSettings()
	div := func(v time.Duration) time.Duration {
		return max(time.Duration(float64(v)/scale), time.Microsecond)
	}
	httpTTL := div(d.HTTPTokenTTL)
	tol := min(max(httpTTL/10, 100*time.Millisecond), httpTTL/3, d.Tolerance)
	return fmt.Sprintf("--http-token-ttl %s --token-ttl %s --pin-token-ttl-min %s --lifetime-tolerance %s --lockout-wait %s",
		httpTTL, div(d.TokenTTL), div(d.PINTokenMin), max(tol, time.Microsecond), div(d.LockoutWait))
}
