package feature

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strconv"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// all is every probe of probes.go by variable name;
// TestProbesDeclaredOnce checks that it misses none.
var all = map[string]*Probe{
	"PidfdOpen": PidfdOpen, "PidfdNonblock": PidfdNonblock, "PidfdThread": PidfdThread,
	"PidfdSendSignal": PidfdSendSignal, "PidfdSignalScope": PidfdSignalScope,
	"PidfdGetfd": PidfdGetfd, "PidfdWaitid": PidfdWaitid, "PidfdNamespace": PidfdNamespace,
	"PidfdInfo": PidfdInfo, "Pidfs": Pidfs, "PidfsHandle": PidfsHandle,
	"Clone3": Clone3, "CloneIntoCgroup": CloneIntoCgroup, "Openat2": Openat2, "Statmount": Statmount, "MemfdSecret": MemfdSecret, "ProcFDCount": ProcFDCount,
	"NsGetUserns": NsGetUserns, "NsGetParent": NsGetParent, "NsGetNstype": NsGetNstype,
	"NsGetOwnerUID": NsGetOwnerUID, "NsGetMntnsID": NsGetMntnsID, "NsMntGetInfo": NsMntGetInfo, "SetnsPidfd": SetnsPidfd,
	"IOUring": IOUring, "Landlock": Landlock, "SeccompNotify": SeccompNotify, "Userfaultfd": Userfaultfd,
	// numa
	"Mempolicy": Mempolicy, "MempolicyPreferredMany": MempolicyPreferredMany,
	"MempolicyWeightedInterleave": MempolicyWeightedInterleave, "MempolicyHomeNode": MempolicyHomeNode,
	"MemfdNoexecSeal": MemfdNoexecSeal,
	// vm
	"PagemapScan": PagemapScan,
	"FanotifyFID": FanotifyFID, // inotify, fanotify
}

// TestProbesDeclaredOnce reads probes.go: every package-level variable
// there is a probe made by newProbe or newDetailProbe with a literal name,
// and no two probes share a name. (The constructors are unexported, so no
// other package can declare a probe.)
func TestProbesDeclaredOnce(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "probes.go", nil, 0)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("probes.go is not here (a test binary run without its source, as in a kernel-matrix guest)")
	}
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{} // probe name -> variable
	vars := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				vars++
				name, ok := probeName(vs, i)
				if !ok {
					t.Errorf("%s is not newProbe or newDetailProbe with a literal name", id.Name)
					continue
				}
				if other, dup := byName[name]; dup {
					t.Errorf("probes %s and %s share the name %q", other, id.Name, name)
				}
				byName[name] = id.Name
				p := all[id.Name]
				if p == nil {
					t.Errorf("probe %s is missing from this test's list", id.Name)
				} else if p.Name() != name {
					t.Errorf("probe %s is named %q, probes.go says %q", id.Name, p.Name(), name)
				}
			}
		}
	}
	if vars != len(all) {
		t.Errorf("probes.go declares %d variables, the test lists %d probes", vars, len(all))
	}
}

// probeName returns the literal name passed to the constructor that makes
// the i-th variable of vs.
func probeName(vs *ast.ValueSpec, i int) (string, bool) {
	if i >= len(vs.Values) {
		return "", false
	}
	call, ok := vs.Values[i].(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return "", false
	}
	fn, ok := call.Fun.(*ast.Ident)
	if !ok || (fn.Name != "newProbe" && fn.Name != "newDetailProbe") {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	name, err := strconv.Unquote(lit.Value)
	return name, err == nil && name != ""
}

// TestProbesWork: the kernels lx is tested on have every feature from its
// minimum kernel on. The minimum kernel comes from the *kernel.FeatureError
// the probe returns, so none is repeated here.
func TestProbesWork(t *testing.T) {
	for name, p := range all {
		t.Run(name, func(t *testing.T) {
			// 2.6: the NUMA memory policy calls (Mempolicy) are older
			// than any kernel lx runs on; the floor catches a mistyped
			// version, not an old feature.
			if p.MinKernel().IsZero() || !p.MinKernel().AtLeast(kernel.V(2, 6)) {
				t.Errorf("MinKernel %v", p.MinKernel())
			}
			d, err := p.Detail()
			testutil.SkipIfUnsupported(t, err, kernel.Version{})
			if err != nil {
				t.Fatal(err)
			}
			if again, err := p.Detail(); again != d || err != nil {
				t.Errorf("second Detail = %q, %v; first %q", again, err, d)
			}
		})
	}
}
