/*
 * pause: the process that holds a pod sandbox's namespaces, as upstream Kubernetes' pause.
 * It exits 0 on SIGINT/SIGTERM, reaps orphans re-parented to it (it is PID 1 of the pod's PID
 * namespace when the namespace is shared), and otherwise sleeps forever.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int signo) {
	(void)signo;
	_exit(0);
}

static void sigreap(int signo) {
	(void)signo;
	/* One SIGCHLD may stand for several exited children. */
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

static int install(int signo, void (*handler)(int)) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = signo == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : 0;
	return sigaction(signo, &sa, NULL);
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		printf("pause (nodelet) 3.10\n");
		return 0;
	}
	if (getpid() != 1) {
		/* Not fatal: useful when run by hand, but worth saying. */
		fprintf(stderr, "pause: warning: not PID 1\n");
	}
	if (install(SIGINT, sigdown) < 0 || install(SIGTERM, sigdown) < 0 || install(SIGCHLD, sigreap) < 0) {
		perror("pause: sigaction");
		return 1;
	}
	for (;;) {
		pause();
	}
	/* not reached */
	return 42;
}
