package reports

import "fmt"

// InteropNote says that the target made a conformant choice a real client
// is known to break on (INFO: never a finding, a verdict or an exit code):
// what was seen, how often, the first case it was seen in, and which client
// it breaks and how, citing the client's repository and file. Its text is
// conform's own (interopClients), never the target's.
type InteropNote struct {
	// ID names the choice: InteropRefusalWithoutError or
	// InteropNotificationBeforeAnswer.
	ID    string `json:"id"`
	Seen  string `json:"seen"`
	Count int    `json:"count"`
	// Example is the first case the choice was seen in.
	Example string `json:"exampleCase"`
	// Client, Repository and File cite what breaks on it; Breaks says how.
	Client     string `json:"client"`
	Repository string `json:"repository,omitempty"`
	File       string `json:"file"`
	Breaks     string `json:"breaks"`
}

// The interop notes' IDs.
const (
	InteropRefusalWithoutError      = "refusal-without-error"
	InteropNotificationBeforeAnswer = "notification-before-answer"
)

// interopClients is the one place the client facts live (taken from
// refserver/doc.go, "Stand-ins for real clients", and the clients quoted in
// refserver/testdata/clients): the reports show them, never copy them.
var interopClients = []InteropNote{
	{
		ID:         InteropRefusalWithoutError,
		Seen:       `refusals ("result": false) without an "error" field`,
		Client:     "videosdk (Qt/C++), the library written at TrueConf",
		Repository: "https://github.com/zoboff/videosdk (commit 2f975761138124a50ccf6d5c206cb4ffeff34e15)",
		File:       "videosdk.cpp, VideoSDK::processIncoming",
		Breaks:     `it handles a refusal only when it carries "error": otherwise it prints "Data Unprocessed" and keeps its old state`,
	},
	{
		ID:     InteropNotificationBeforeAnswer,
		Seen:   "answers that came after a notification on their connection (the notification came after the request was sent)",
		Client: `a raw client that reads "the next frame" on its connection as the answer to its request`,
		File:   `refserver/doc.go, "Stand-ins for real clients" (the four libraries quoted in refserver/testdata/clients match their answers by method or pattern and are not affected)`,
		Breaks: "it takes the notification for the answer",
	},
}

// interopShort is each note in a few words, for the console.
var interopShort = map[string]string{
	InteropRefusalWithoutError:      `refusals without "error" (break Qt videosdk)`,
	InteropNotificationBeforeAnswer: "answers after a notification (break next-frame readers)",
}

// InteropNotes are the notes of what a run saw: refusals refusals without
// error (first in case refusalCase), and eventsFirst answers a notification
// came before (first in case eventsCase). nil when neither was seen.
func InteropNotes(refusals int, refusalCase string, eventsFirst int, eventsCase string) []InteropNote {
	var out []InteropNote
	for _, n := range interopClients {
		count, example := refusals, refusalCase
		if n.ID == InteropNotificationBeforeAnswer {
			count, example = eventsFirst, eventsCase
		}
		if count > 0 {
			n.Count, n.Example = count, example
			out = append(out, n)
		}
	}
	return out
}

// Line is the note in one line: what was seen, the count and the example
// case, and the client it breaks and how.
func (n InteropNote) Line() string {
	return fmt.Sprintf("%d %s (e.g. case %s): breaks %s (%s): %s", n.Count, n.Seen, n.Example, n.Client, n.cite(), n.Breaks)
}

// cite is the note's citation: the repository, then the file.
func (n InteropNote) cite() string {
	if n.Repository == "" {
		return n.File
	}
	return n.Repository + ", " + n.File
}

// Short is the note in a few words for a console line of at most 120
// columns (after the console's 16 of "interop (INFO): "): the count, what
// was seen and who it breaks, and the example case (whole but for the
// catalogue's longest IDs), cut to fit.
func (n InteropNote) Short() string {
	short := interopShort[n.ID]
	if short == "" {
		short = n.ID
	}
	head := fmt.Sprintf("%d %s", n.Count, short)
	room := max(12, maxShort-len([]rune(head))-len(" (e.g. )"))
	example := n.Example
	if r := []rune(example); len(r) > room {
		example = string(r[:room-3]) + "..."
	}
	return fmt.Sprintf("%s (e.g. %s)", head, example)
}

// maxShort bounds Short.
const maxShort = 104
