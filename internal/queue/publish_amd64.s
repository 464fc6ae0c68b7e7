//go:build amd64 && !race

#include "textflag.h"

// func publish(w *uint32)
TEXT ·publish(SB), NOSPLIT, $0-8
	MOVQ w+0(FP), AX
	MOVL $1, (AX)
	RET
