// Package templates holds every HTML and text template of kdigest, embedded
// in the binary. It holds no logic.
package templates

import "embed"

// FS holds the embedded templates and stylesheets.
//
//go:embed *.tmpl
var FS embed.FS
