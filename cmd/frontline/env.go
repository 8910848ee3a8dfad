package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// envPrefix starts the environment variable of every flag: --tile-cache-mb
// is FRONTLINE_TILE_CACHE_MB.
const envPrefix = "FRONTLINE_"

// envName derives the environment variable of a flag from its name.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(flag))
}

// withEnvHelp appends "(environment NAME)" to the usage of every flag of fs
// that does not name its variable already, so that --help documents both.
// Call it after the last flag is defined.
func withEnvHelp(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if name := envName(f.Name); !strings.Contains(f.Usage, name) {
			f.Usage += " (environment " + name + ")"
		}
	})
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprintf(fs.Output(), "\nEvery flag can also be set by its environment variable, named above: %s\n"+
			"followed by the flag name in capitals with - as _ (--tile-cache-mb: %s).\n"+
			"A flag on the command line beats the environment, which beats the default.\n",
			envPrefix, envName("tile-cache-mb"))
	}
}

// parseWithEnv parses args like parseInterspersed, then sets every flag of fs
// that the command line left out from its environment variable (see
// envName), so a flag beats the environment and the environment beats the
// default. An empty variable counts as unset. lookup is os.LookupEnv outside
// tests.
func parseWithEnv(fs *flag.FlagSet, args []string, lookup func(string) (string, bool)) ([]string, error) {
	withEnvHelp(fs)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil {
			return
		}
		name := envName(f.Name)
		v, ok := lookup(name)
		if !ok || v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			envErr = fmt.Errorf("%w: environment variable %s=%q (for --%s): %s", errUsage, name, v, f.Name, want(f, err))
		}
	})
	return rest, envErr
}

// want says what a flag's value must look like, for error messages; err is
// what the flag's parser said.
func want(f *flag.Flag, err error) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	switch g.Get().(type) {
	case bool:
		return "want true or false (or 1 or 0)"
	case int, int64, uint, uint64:
		return "want a whole number"
	case float64:
		return "want a number"
	case time.Duration:
		return "want a duration such as 15s, 2m or 1h30m"
	}
	return err.Error()
}
