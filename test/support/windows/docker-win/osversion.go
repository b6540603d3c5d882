// Package osversion stands in for github.com/Microsoft/hcsshim/osversion, which Debian does not package, in the
// docker.exe that scripts/docker-win.sh builds for the tests: the Windows version as RtlGetVersion reports it.
package osversion

import "golang.org/x/sys/windows"

type OSVersion struct {
	Version      uint32
	MajorVersion uint8
	MinorVersion uint8
	Build        uint16
}

// RS5 is Windows 10 1809 (build 17763).
const RS5 = 17763

func Get() OSVersion {
	v := windows.RtlGetVersion()
	return OSVersion{
		Version:      v.MajorVersion | v.MinorVersion<<8 | v.BuildNumber<<16,
		MajorVersion: uint8(v.MajorVersion),
		MinorVersion: uint8(v.MinorVersion),
		Build:        uint16(v.BuildNumber),
	}
}

func Build() uint16 { return Get().Build }
