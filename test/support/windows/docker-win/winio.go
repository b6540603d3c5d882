// Package winio stands in for github.com/Microsoft/go-winio, which Debian does not package, in the docker.exe that
// scripts/docker-win.sh builds for the tests: that docker.exe reaches the test's docker engine over tcp:// only and
// has no named-pipe transport.
package winio

import (
	"context"
	"errors"
	"net"
	"time"
)

func DialPipe(path string, timeout *time.Duration) (net.Conn, error) {
	return nil, errors.New("this docker.exe has no named-pipe transport (" + path + "): set DOCKER_HOST=tcp://...")
}

func DialPipeContext(ctx context.Context, path string) (net.Conn, error) {
	return DialPipe(path, nil)
}
