package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/internal/term"
)

// Bounds of the drawn transcripts: report.html stays readable and of a
// bounded size however many cases fail and however long their transcripts
// are; results.json keeps every frame.
const (
	// flowHead and flowTail are the frames of a long transcript drawn at
	// its start and at its end; flowAround those either side of a frame of
	// a failing step. A transcript of at most maxFlow frames is drawn whole.
	flowHead   = 120
	flowTail   = 30
	flowAround = 15
	maxFlow    = 200
	// maxPageFlow is the most frames drawn on the page; the transcripts of
	// the causes' examples are drawn first.
	maxPageFlow = 5000
)

// flow is one case's transcript drawn as lanes: one per connection, in
// the order they first appear, then one per server other than the
// WebSocket one (http, web).
type flow struct {
	Lanes []flowLane
	Rows  []flowRow
	// Frames is the transcript's length; Drawn how many of them are drawn
	// (0: the page's bound left none for it).
	Frames, Drawn int
}

// flowLane is one column of a flow.
type flowLane struct {
	Name, Title string
}

// flowRow is one frame, or a gap of frames not drawn (Gap > 0).
type flowRow struct {
	Lane string
	// Col is the lane's grid column (0: the note spans every lane).
	Col int
	// Class is req (to the server), ans (an answer), ntf (a notification or
	// anything else the server sent unasked) or note, with close or err
	// for those kinds and failing for the frames of a failing step.
	Class string
	At    string
	// Label is the frame in a few words; Body its payload, pretty when it
	// is JSON. Both are the target's text: the template escapes them.
	Label, Body string
	// Step is the name of the failing step whose request this is.
	Step string
	Gap  int
}

// serverLanes are the lanes of other servers than the WebSocket one, with
// their titles, drawn after the connections.
var serverLanes = map[string]string{"http": "HTTP server", "web": "web manager"}

// drawFlows draws the transcripts of the cases shown in detail, within
// maxPageFlow frames in all: the causes' examples first, then the others
// in the order of the page.
func drawFlows(details []Case, causes []Cause) map[string]*flow {
	out := map[string]*flow{}
	budget := maxPageFlow
	draw := func(c Case) {
		if _, done := out[c.Key()]; done || len(c.Transcript) == 0 {
			return
		}
		f := drawFlow(c, budget)
		budget -= f.Drawn
		out[c.Key()] = f
	}
	byKey := map[string]Case{}
	for _, c := range details {
		byKey[c.Key()] = c
	}
	for _, cause := range causes {
		if c, ok := byKey[cause.Example]; ok {
			draw(c)
		}
	}
	for _, c := range details {
		draw(c)
	}
	return out
}

// drawFlow draws case c's transcript with at most budget frames.
func drawFlow(c Case, budget int) *flow {
	f := &flow{Frames: len(c.Transcript)}
	failingSteps := map[string]bool{}
	for _, fd := range c.Findings {
		if fd.Broken() && fd.Step != "" {
			failingSteps[fd.Step] = true
		}
	}
	keep := keptFrames(c.Transcript, failingSteps)
	if len(keep) > budget {
		return f
	}
	// Lanes: connections in the order they first appear, servers after.
	col := map[string]int{}
	var servers []string
	for _, fr := range c.Transcript {
		if fr.Conn == "" || col[fr.Conn] > 0 || slices.Contains(servers, fr.Conn) {
			continue
		}
		if _, ok := serverLanes[fr.Conn]; ok {
			servers = append(servers, fr.Conn)
			continue
		}
		f.Lanes = append(f.Lanes, flowLane{Name: fr.Conn, Title: "WebSocket"})
		col[fr.Conn] = len(f.Lanes) + 1
	}
	slices.Sort(servers)
	for _, s := range servers {
		f.Lanes = append(f.Lanes, flowLane{Name: s, Title: serverLanes[s]})
		col[s] = len(f.Lanes) + 1
	}
	// A failing step's request is marked, and so is its answer: the next
	// frame the server sends on the lane with its requestId (on the HTTP
	// lane, the next it sends).
	type pending struct{ id, step string }
	awaiting := map[string]*pending{}
	prev := -1
	for _, i := range keep {
		if i > prev+1 {
			f.Rows = append(f.Rows, flowRow{Gap: i - prev - 1})
		}
		prev = i
		fr := c.Transcript[i]
		// The payload as the target sent it (a device may pretty-print
		// its JSON), escaped for the page only once it is read.
		row := flowRow{Lane: fr.Conn, Col: col[fr.Conn], At: flowTime(fr.At), Body: term.Escape(prettyPayload(fr.Payload))}
		msg := jsonMessage(fr)
		failing := false
		switch fr.Dir {
		case "send":
			row.Class, row.Label = "req", requestLabel(fr, msg)
			if failingSteps[fr.Step] {
				failing, row.Step = true, fr.Step
				awaiting[fr.Conn] = &pending{id: field(msg, "requestId"), step: fr.Step}
			}
		case "recv":
			row.Class, row.Label = answerLabel(fr, msg)
			// An answer without a requestId (an accepted variant) is the
			// awaited one's too.
			p, id := awaiting[fr.Conn], field(msg, "requestId")
			if p != nil && row.Class == "ans" && (p.id == "" || id == "" || p.id == id) {
				failing = true
				delete(awaiting, fr.Conn)
			}
		default:
			row.Class, row.Label, row.Body = "note", term.Line(fr.Payload), ""
		}
		switch fr.Kind {
		case "close":
			row.Class += " close"
		case "error":
			row.Class += " err"
		}
		if failing {
			row.Class += " failing"
		}
		f.Rows = append(f.Rows, row)
	}
	if last := len(c.Transcript) - 1; prev < last {
		f.Rows = append(f.Rows, flowRow{Gap: last - prev})
	}
	f.Drawn = len(keep)
	return f
}

// keptFrames are the indices of the frames drawn of transcript tr: all of
// them up to maxFlow, else its head, its tail and the frames around each
// frame of a failing step.
func keptFrames(tr []Frame, failingSteps map[string]bool) []int {
	n := len(tr)
	if n <= maxFlow {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	// Within maxFlow frames, the failing steps' windows first, then the
	// tail, then the head: a long transcript's head matters least.
	keep := make([]bool, n)
	kept := 0
	mark := func(from, to int) {
		for i := max(0, from); i < min(n, to) && kept < maxFlow; i++ {
			if !keep[i] {
				keep[i] = true
				kept++
			}
		}
	}
	for i, fr := range tr {
		if fr.Dir == "send" && failingSteps[fr.Step] {
			mark(i-flowAround, i+flowAround+1)
		}
	}
	mark(n-flowTail, n)
	mark(0, flowHead)
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// flowTime is a frame's offset from the case's start: in milliseconds
// under a second (a case's frames are often apart by less than one), else
// in seconds.
func flowTime(at float64) string {
	if at < 1 {
		return fmt.Sprintf("%.1f ms", at*1000)
	}
	return fmt.Sprintf("%.3f s", at)
}

// jsonMessage is a text frame's payload as a JSON object (nil if it is
// none).
func jsonMessage(fr Frame) map[string]any {
	if fr.Kind != "text" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(fr.Payload), &m) != nil {
		return nil
	}
	return m
}

// field renders one field of a message in a few words, its control
// characters escaped (the decoded JSON may hold any), "" if absent.
func field(m map[string]any, key string) string {
	v, ok := m[key]
	if !ok {
		return ""
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case float64, bool, nil:
		b, _ := json.Marshal(v)
		s = string(b)
	default:
		s = "…"
	}
	return term.Line(clipRunes(s, 60))
}

// clipRunes cuts s to at most n runes.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// requestLabel is a sent frame in a few words: its method and requestId,
// or the start of what it is.
func requestLabel(fr Frame, m map[string]any) string {
	if m == nil {
		return otherLabel(fr)
	}
	s := field(m, "method")
	if s == "" {
		s = "(no method)"
	}
	if id := field(m, "requestId"); id != "" {
		s += " #" + id
	}
	return s
}

// answerLabel classifies a received frame (ans: it carries a requestId, or
// it is a server's answer on the HTTP lane; else ntf) and says it in a few
// words.
func answerLabel(fr Frame, m map[string]any) (class, label string) {
	if _, server := serverLanes[fr.Conn]; server {
		return "ans", otherLabel(fr)
	}
	if m == nil {
		return "ntf", otherLabel(fr)
	}
	if field(m, "method") == "event" || m["event"] != nil {
		// A notification ({"method":"event",...}); an answer may come
		// without a requestId (ENV-4's accepted variant) and is still one.
		s := "notification"
		if ev := field(m, "event"); ev != "" {
			s += " " + ev
		} else if me := field(m, "method"); me != "" {
			s += " " + me
		}
		if cause := field(m, "cause"); cause != "" {
			s += " (cause " + cause + ")"
		}
		return "ntf", s
	}
	parts := []string{}
	for _, k := range []string{"result", "resultCode", "error"} {
		if v := field(m, k); v != "" {
			v = clipRunes(v, 40)
			parts = append(parts, k+" "+v)
		}
	}
	s := field(m, "method")
	if id := field(m, "requestId"); id != "" {
		s = "#" + id + " " + s
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return "ans", s
}

// otherLabel is a frame that is not a JSON object: its kind and the start
// of its payload.
func otherLabel(fr Frame) string {
	s := clipRunes(term.Line(fr.Payload), 80)
	if fr.Kind != "text" {
		s = fr.Kind + " " + s
	}
	return s
}
