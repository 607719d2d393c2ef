package reconf

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/roomconform/conform/internal/jsonnum"
)

// Device is the identity of the device a journal's changes went to, as
// its getSystemInfo answer tells it: the identifiers of authInfo and
// productInfo (the TrueConf ID, serial numbers, names). A device that
// offers none leaves it empty, and only the target URL tells it apart.
type Device struct {
	IDs map[string]string `json:"ids,omitempty"`
}

// Known reports whether the device told anything of its identity.
func (d Device) Known() bool { return len(d.IDs) > 0 }

func (d Device) String() string {
	if !d.Known() {
		return "a device that did not say who it is"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(d.IDs)) {
		parts = append(parts, fmt.Sprintf("%s %q", k, d.IDs[k]))
	}
	return strings.Join(parts, ", ")
}

// Differs says how other is not the device d ("" when nothing tells them
// apart): an identifier d recorded that other lacks or gives differently.
func (d Device) Differs(other Device) string {
	for _, k := range slices.Sorted(maps.Keys(d.IDs)) {
		switch v, ok := other.IDs[k]; {
		case !ok:
			return fmt.Sprintf("the journal's device has %s %q; this one gives none", k, d.IDs[k])
		case v != d.IDs[k]:
			return fmt.Sprintf("the journal's device has %s %q; this one has %q", k, d.IDs[k], v)
		}
	}
	return ""
}

// Bounds on what a device's identity keeps: a target is an adversary and
// the journal a small file.
const (
	maxIDs      = 16
	maxIDLength = 128
)

// DeviceOf reads the identity from a getSystemInfo answer: the TrueConf ID
// (authInfo.peerId) and the string and integer leaves of productInfo whose
// name says they identify the hardware (serial…, uuid, mac…, hostname,
// deviceId, machineId, hardwareId), in sorted order, at most maxIDs, a
// long one replaced by its hash. Nothing else of authInfo: it is the
// device's login state, which changes.
func DeviceOf(f map[string]any) Device {
	if ok, _ := f["result"].(bool); !ok {
		return Device{}
	}
	ids := map[string]string{}
	for _, top := range []string{"authInfo", "productInfo"} {
		obj, _ := f[top].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if len(ids) == maxIDs || !identifying(top, k) {
				continue
			}
			var v string
			switch x := obj[k].(type) {
			case string:
				v = x
			default:
				n, ok := jsonnum.Int(x)
				if !ok {
					continue
				}
				v = fmt.Sprint(n)
			}
			if v == "" {
				continue
			}
			if len(v) > maxIDLength || !utf8.ValidString(v) {
				sum := sha256.Sum256([]byte(v))
				v = "sha256:" + hex.EncodeToString(sum[:16])
			}
			ids[top+"."+k] = v
		}
	}
	if len(ids) == 0 {
		return Device{}
	}
	return Device{IDs: ids}
}

func identifying(top, key string) bool {
	k := strings.ToLower(key)
	if top == "authInfo" {
		return k == "peerid"
	}
	switch k {
	case "uuid", "hostname", "deviceid", "machineid", "hardwareid", "mac", "macaddress":
		return true
	}
	return len(k) <= 64 && strings.HasPrefix(k, "serial")
}

// Device asks getSystemInfo who the device is; a device that does not
// answer it usefully gives an empty identity, never an error of the
// restore (the identity is a safeguard, not every device offers it).
func (s *Session) Device(ctx context.Context) (Device, error) {
	s.id++
	resp, err := s.c.Call(ctx, []byte(fmt.Sprintf(`{"method":"getSystemInfo","requestId":"conform-reconf-%d"}`, s.id)))
	if err != nil {
		return Device{}, fmt.Errorf("getSystemInfo: %w", err)
	}
	if resp.Err != nil {
		return Device{}, nil
	}
	return DeviceOf(resp.Fields), nil
}
