// Command lines is the program of proctest's own tests: it prints the
// numbers 1 to its first argument, one per line, then "waiting", and
// exits 0 on SIGTERM (printing "stopped") or at once with "exit".
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	n, _ := strconv.Atoi(os.Args[1])
	for i := 1; i <= n; i++ {
		fmt.Println(i)
	}
	if len(os.Args) > 2 && os.Args[2] == "exit" {
		fmt.Fprintln(os.Stderr, "exiting with 4")
		os.Exit(4)
	}
	fmt.Println("waiting")
	<-term
	fmt.Println("stopped")
}
