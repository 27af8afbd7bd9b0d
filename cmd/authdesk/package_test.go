package main

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinuxPackage runs scripts/package.sh (what 'make package' runs) and
// checks that the tar.xz it makes carries the metadata of the top-level
// FyneApp.toml: the app ID in the desktop entry's and the icon's names, the
// icon itself, the name, and the binary.
func TestLinuxPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary and runs fyne package")
	}
	for _, tool := range []string{"tar", "xz"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	toml, err := os.ReadFile(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(toml, []byte(`ID = "`+appID+`"`)) {
		t.Fatalf("FyneApp.toml does not hold the app ID %s that main uses", appID)
	}
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(root, "scripts", "package.sh"), out)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("package.sh: %v\n%s", err, stderr.String())
	}
	pkg := strings.TrimSpace(string(stdout))
	if filepath.Base(pkg) != "authdesk-0.1.0-linux-"+goarch()+".tar.xz" {
		t.Errorf("package is %s, want it named with FyneApp.toml's version 0.1.0", pkg)
	}
	dir := t.TempDir()
	if out, err := exec.Command("tar", "-xJf", pkg, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("untar %s: %v\n%s", pkg, err, out)
	}
	base := filepath.Join(dir, "authdesk", "usr", "local")

	desktop, err := os.ReadFile(filepath.Join(base, "share", "applications", appID+".desktop"))
	if err != nil {
		t.Fatalf("no desktop entry named after the app ID: %v", err)
	}
	for _, want := range []string{"Name=Authdesk", "Exec=authdesk", "Icon=" + appID, "Categories=Utility;Security;"} {
		if !strings.Contains(string(desktop), want+"\n") {
			t.Errorf("desktop entry lacks %q:\n%s", want, desktop)
		}
	}

	f, err := os.Open(filepath.Join(base, "share", "pixmaps", appID+".png"))
	if err != nil {
		t.Fatalf("no icon named after the app ID: %v", err)
	}
	defer f.Close()
	icon, err := png.Decode(f)
	if err != nil {
		t.Fatalf("icon: %v", err)
	}
	if s := icon.Bounds().Size(); s.X < 256 || s.X != s.Y {
		t.Errorf("icon is %v, want a square of at least 256 px", s)
	}

	if fi, err := os.Stat(filepath.Join(base, "bin", "authdesk")); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("no executable authdesk in the package: %v", err)
	}
}

func goarch() string {
	out, err := exec.Command("go", "env", "GOARCH").Output()
	if err != nil {
		return "amd64"
	}
	return strings.TrimSpace(string(out))
}
