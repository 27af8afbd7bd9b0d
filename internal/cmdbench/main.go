// Command cmdbench times whole commands against a peer in the same run and
// prints both medians and their ratio. The machines here are shared and
// noisy, so runs alternate between the two commands: drift hits both alike.
//
//	cmdbench -n 50 -name "authctl code" -peer "oathtool" -- CMD ARGS... --vs PEER ARGS...
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 30, "runs of each command")
	name := flag.String("name", "ours", "label of the first command")
	peer := flag.String("peer", "peer", "label of the second command")
	target := flag.Duration("target", 0, "print whether our median is under this")
	maxRatio := flag.Float64("max-ratio", 0, "print whether ours/peer is at most this")
	flag.Parse()
	args := flag.Args()
	i := indexOf(args, "--vs")
	if i <= 0 || i == len(args)-1 {
		fmt.Fprintln(os.Stderr, "usage: cmdbench [flags] CMD ARGS... --vs PEER ARGS...")
		os.Exit(2)
	}
	ours, theirs := args[:i], args[i+1:]
	var a, b []time.Duration
	for r := 0; r < *n+2; r++ {
		da, err := timeOnce(ours)
		check(err, ours)
		db, err := timeOnce(theirs)
		check(err, theirs)
		if r >= 2 { // the first runs warm the page cache
			a, b = append(a, da), append(b, db)
		}
	}
	ma, mb := median(a), median(b)
	ratio := float64(ma) / float64(mb)
	fmt.Printf("%-28s median %8.2f ms  (n=%d)\n", *name, ms(ma), len(a))
	fmt.Printf("%-28s median %8.2f ms  (n=%d)\n", *peer, ms(mb), len(b))
	fmt.Printf("%-28s %.2f\n", "ratio "+*name+"/"+*peer, ratio)
	if *target > 0 {
		fmt.Printf("%-28s %v: %s\n", "target median <", *target, verdict(ma < *target))
	}
	if *maxRatio > 0 {
		fmt.Printf("%-28s %.2f: %s\n", "target ratio <=", *maxRatio, verdict(ratio <= *maxRatio))
	}
}

func timeOnce(argv []string) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	start := time.Now()
	err := cmd.Run()
	return time.Since(start), err
}

func check(err error, argv []string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "cmdbench: %s: %v\n", strings.Join(argv, " "), err)
		os.Exit(1)
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}
