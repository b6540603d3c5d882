// A Windows program that runs the command line written beside it, for the stand-ins a Windows docker.exe runs under
// Wine (a docker-credential-<store> stand-in is a Node script). docker runs a `.cmd` through cmd.exe, and under Wine the
// program that cmd.exe starts never sees the end of the stdin docker writes, so a credential helper waiting for it
// hangs (on Windows it does not). Copied as NAME.exe, it runs the program and arguments of NAME.launch.json (a JSON
// array) with its own arguments after them and its stdin, stdout and stderr, and exits with the program's exit code.
// scripts/setup.sh builds it into tools/docker-win/ with GOOS=windows.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func main() {
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	text, err := os.ReadFile(strings.TrimSuffix(self, ".exe") + ".launch.json")
	if err != nil {
		fail(err)
	}
	var command []string
	if err := json.Unmarshal(text, &command); err != nil || len(command) == 0 {
		fail(fmt.Errorf("%s.launch.json holds no command line", strings.TrimSuffix(self, ".exe")))
	}
	cmd := exec.Command(command[0], append(command[1:], os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "exe-launcher:", err)
	os.Exit(127)
}
