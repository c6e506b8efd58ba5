// pulumi-language-nodejs: the Node.js language host the Pulumi CLI starts to run a
// program, written for container-labs because Pulumi's own host cannot be built here.
//
// Pulumi's host lives in its own Go module (sdk/nodejs/cmd/pulumi-language-nodejs),
// which has no tags and which the Go module proxy these machines reach does not
// serve at any version. Everything the host needs is in the sdk/v3 module that the
// CLI is built from, so scripts/pulumi-toolchain.sh compiles this file inside that
// module (same commit, same go.sum as the CLI).
//
// What it does, and what it leaves out on purpose:
//   - Run starts `node @pulumi/pulumi/cmd/run` (resolved from the program's own
//     node_modules) with the monitor and engine addresses, the stack's config in
//     PULUMI_CONFIG, and TypeScript on unless Pulumi.yaml turns it off.
//   - RunPlugin starts a Node policy pack (`@pulumi/pulumi/cmd/run-policy-pack`,
//     behind the SDK's PolicyProxy, which hands it the stack configuration) or a
//     Node plugin (`@pulumi/pulumi/cmd/run-plugin`).
//   - GetRequiredPackages answers "none": the CLI then loads each provider when the
//     program first registers a resource of it, at the version the npm SDK asks for.
//     Pulumi's host instead lists every @pulumi/* package in package.json, so a
//     stack that never creates an AWS or TLS resource would still need those plugins
//     (and fail with PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).
//   - No dependency installation, templates, code generation, debugger attach or
//     `pulumi about` details: those RPCs answer Unimplemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set by the build (-ldflags "-X main.version=...") to the CLI's version.
var version = "0.0.0-dev"

const (
	runModule       = "@pulumi/pulumi/cmd/run"
	runPluginModule = "@pulumi/pulumi/cmd/run-plugin"
	runPolicyModule = "@pulumi/pulumi/cmd/run-policy-pack"
	analyzerKind    = "analyzer"
	// The Node SDK exits with 32 after it has already printed an actionable message:
	// the engine is then told to bail out without adding an error of its own.
	exitAfterUserMessage = 32
	// How long node gets to finish after SIGINT when the engine cancels a run.
	stopGrace = 5 * time.Second
)

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	// The CLI may pass --tracing (and glog's --logtostderr and -v, which the sdk's
	// logging package registers) before the engine address; this host uses none.
	flag.String("tracing", "", "tracing endpoint (ignored)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}

	host := &languageHost{}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[len(args)-1]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start its gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// nodeOptions are the `runtime.options` of Pulumi.yaml that change how node starts.
type nodeOptions struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	raw := info.GetOptions().AsMap()
	if v, ok := raw["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("runtime option typescript must be true or false, got %v", v)
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("runtime option tsconfig must be a path, got %v", v)
		}
		opts.tsconfigPath = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("runtime option nodeargs must be a string, got %v", v)
		}
		// Split on whitespace: arguments with quoted spaces are not supported.
		opts.nodeArgs = strings.Fields(s)
	}
	return opts, nil
}

func (o nodeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// resolveModule finds `module` the way the program itself would: node's require.resolve
// from the program's directory, so the program's own @pulumi/pulumi runs it.
func resolveModule(ctx context.Context, node, module, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find %s from %s (is @pulumi/pulumi installed there? run npm ci): %v %s",
			module, dir, err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	fail := func(err error) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fail(fmt.Errorf("node is not on PATH: %w", err))
	}
	info := req.GetInfo()
	opts, err := parseOptions(info)
	if err != nil {
		return fail(err)
	}
	runPath, err := resolveModule(ctx, node, runModule, info.GetProgramDirectory())
	if err != nil {
		return fail(err)
	}
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return fail(fmt.Errorf("serialising the stack's config: %w", err))
	}
	secretKeys, err := json.Marshal(append([]string{}, req.GetConfigSecretKeys()...))
	if err != nil {
		return fail(fmt.Errorf("serialising the stack's secret config keys: %w", err))
	}

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runPath)
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.GetMonitorAddress())
	flagIfSet("engine", h.engineAddress)
	flagIfSet("organization", req.GetOrganization())
	flagIfSet("project", req.GetProject())
	flagIfSet("root-directory", info.GetRootDirectory())
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIfSet("parallel", strconv.Itoa(int(req.GetParallel())))
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	cmd.Env = append(cmd.Env, opts.env()...)
	// Node may switch its stdio to non-blocking mode; wrapping os.Stdout/os.Stderr in
	// plain writers makes exec copy through pipes instead of sharing the descriptors.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopGrace

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return fail(fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode()))
	default:
		return fail(fmt.Errorf("could not run node %s: %w", runPath, err))
	}
}

func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("node is not on PATH: %w", err)
	}
	info := req.GetInfo()
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	isPolicyPack := req.GetKind() == analyzerKind
	module := runPluginModule
	if isPolicyPack {
		module = runPolicyModule
	}
	entry, err := resolveModule(ctx, node, module, info.GetProgramDirectory())
	if err != nil {
		return err
	}

	args := append([]string{entry}, opts.nodeArgs...)
	env := append(append([]string{}, req.GetEnv()...), opts.env()...)
	// A policy pack takes its directory last and runs from it; any other plugin takes
	// its directory first and runs from the engine's working directory.
	dir := req.GetPwd()
	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		args = append(append(args, req.GetArgs()...), info.GetProgramDirectory())
		dir = info.GetProgramDirectory()
		// The policy pack learns the stack's identity and config from the environment;
		// the engine sends them over gRPC, so the SDK's proxy receives them first.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("starting the policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("waiting for the stack configuration: %w", err)
		}
		if stack != nil {
			config, err := json.Marshal(stack.GetConfig())
			if err != nil {
				return fmt.Errorf("serialising the stack's config: %w", err)
			}
			env = append(env,
				"PULUMI_NODEJS_ORGANIZATION="+stack.GetOrganization(),
				"PULUMI_NODEJS_PROJECT="+stack.GetProject(),
				"PULUMI_NODEJS_STACK="+stack.GetStack(),
				"PULUMI_NODEJS_DRY_RUN="+strconv.FormatBool(stack.GetDryRun()),
				"PULUMI_CONFIG="+string(config))
		}
	} else {
		args = append(append(args, info.GetProgramDirectory()), req.GetArgs()...)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not run node %s: %w", entry, err)
	}
	if proxy != nil {
		// The proxy waits for the policy pack to print its port, then serves the engine.
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("attaching the policy pack: %w", err)
		}
		return closer.Close()
	}
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				return fmt.Errorf("plugin exited with non-zero exit code: %d", status.ExitStatus())
			}
		}
		return fmt.Errorf("plugin %s: %w", entry, err)
	}
	return closer.Close()
}
