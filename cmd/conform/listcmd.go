package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/explain"
)

// listedCase is one case in `conform list --format json`.
type listedCase struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Requirements []listedReq    `json:"requirements"`
	Level        caselang.Level `json:"level"`
	Labels       []string       `json:"labels"`
	Wrong        int            `json:"wrongCredentials,omitempty"`
}

type listedReq struct {
	ID    string         `json:"id"`
	Level caselang.Level `json:"level"`
}

func listCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet("list", stderr, "[--format text|json|markdown] [--label-filter EXPR]")
	format := fs.String("format", "text", "text, json or markdown")
	filter := fs.String("label-filter", "", "Ginkgo label expression")
	if _, code, ok := parseOrExit(fs, args, getenv, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conform list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	selected, err := conductor.Select(conductor.Selection{LabelFilter: *filter})
	if err != nil {
		fmt.Fprintf(stderr, "conform list: %v\n", err)
		return exitUsage
	}
	var out []listedCase
	for _, c := range selected {
		lc := listedCase{ID: c.ID, Title: c.Title, Level: c.Level(), Labels: c.Labels, Wrong: c.WrongCredentials()}
		if lc.Labels == nil {
			lc.Labels = []string{}
		}
		for _, r := range c.Requirements {
			lc.Requirements = append(lc.Requirements, listedReq{r, caselang.LevelOf(r)})
		}
		out = append(out, lc)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "conform list: %v\n", err)
			return exitUnreachable
		}
	case "markdown":
		fmt.Fprint(stdout, explain.CatalogueTable(selected))
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLEVEL\tREQUIREMENTS\tLABELS\tSTIMULUS")
		for _, c := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Level, clipList(reqIDs(c), 32), strings.Join(c.Labels, ","), c.Title)
		}
		tw.Flush()
	default:
		fmt.Fprintf(stderr, "conform list: --format must be text, json or markdown, not %q\n", *format)
		return exitUsage
	}
	return exitOK
}

func reqIDs(c listedCase) string {
	ids := make([]string, len(c.Requirements))
	for i, r := range c.Requirements {
		ids[i] = r.ID
	}
	return strings.Join(ids, ",")
}

// clipList shortens a comma-separated list for a terminal column (the
// exploration cites every requirement): the rest is in --format json.
func clipList(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ',')
	if cut < 0 {
		cut = n
	}
	return s[:cut] + ",..."
}
