package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
		writeListText(stdout, out)
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

// Widths of `conform list`'s text: a row fits a terminal of listWidth
// columns; what it leaves out (the stimulus, the steps, every requirement
// of the exploration) is in conform explain ID and --format json.
const (
	listWidth   = 100
	listIDWidth = 42 // the few longer IDs (walked CFG cases) push their row's columns right
	listReqs    = 24 // ENV-2,ENV-6,ENV-7,ENV-8 and the like whole
)

// writeListText writes one row per case: ID, level, requirements and
// labels (what a selection names), each row within listWidth columns.
func writeListText(w io.Writer, cases []listedCase) {
	idW := len("ID")
	for _, c := range cases {
		idW = max(idW, min(len(c.ID), listIDWidth))
	}
	row := func(id, level, reqs, labels string) {
		line := fmt.Sprintf("%-*s  %-6s  ", idW, id, level)
		// A long ID leaves less room: the requirements give way before
		// the labels, which are short and what a --label-filter names.
		room := listWidth - len(line) - 2 - len(labels)
		reqs = clipList(reqs, min(listReqs, max(room, len("RC-8,..."))))
		if room >= listReqs {
			reqs = fmt.Sprintf("%-*s", listReqs, reqs)
		}
		line += reqs + "  "
		line += clipList(labels, listWidth-len(line))
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	row("ID", "LEVEL", "REQUIREMENTS", "LABELS")
	for _, c := range cases {
		row(c.ID, string(c.Level), reqIDs(c), strings.Join(c.Labels, ","))
	}
	fmt.Fprintln(w, "a case in full (stimulus, steps, expectations): conform explain ID; every field: --format json")
}

// clipList shortens a comma-separated list to at most n bytes for a
// terminal column (the exploration cites every requirement), ending it in
// ",..." where it cut: the rest is in --format json.
func clipList(s string, n int) string {
	const more = ",..."
	if len(s) <= n {
		return s
	}
	if n < len(more)+1 {
		return s[:max(n, 0)]
	}
	cut := strings.LastIndexByte(s[:n-len(more)+1], ',')
	if cut <= 0 {
		cut = n - len(more)
	}
	return s[:cut] + more
}
