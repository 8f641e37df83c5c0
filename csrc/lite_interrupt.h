/* Ctrl-C for VM calls: a SIGINT handler that counts interrupts and then
   runs the handler it was put in front of (Python's, which raises
   KeyboardInterrupt once the call returns to Python). The VM runs without
   the GIL and never returns to Python on its own, so a call compares the
   count with the one it started at, on backward branches, per tile and in
   its waits. */
#ifndef LITE_INTERRUPT_H
#define LITE_INTERRUPT_H
#include <pthread.h>
#include <signal.h>

static long long lite_sigints;              /* SIGINTs so far, process-wide */
static struct sigaction lite_sigint_next;   /* the handler ours runs after counting */
static pthread_mutex_t lite_sigint_lock = PTHREAD_MUTEX_INITIALIZER;

static inline long long lite_sigint_count(void) { return __atomic_load_n(&lite_sigints, __ATOMIC_RELAXED); }

static void lite_on_sigint(int sig, siginfo_t* info, void* uc) {
    __atomic_add_fetch(&lite_sigints, 1, __ATOMIC_RELAXED);
    if (lite_sigint_next.sa_flags & SA_SIGINFO)
        lite_sigint_next.sa_sigaction(sig, info, uc);
    else if (lite_sigint_next.sa_handler != SIG_DFL && lite_sigint_next.sa_handler != SIG_IGN)
        lite_sigint_next.sa_handler(sig);
}

/* A child forked while another thread held the lock must not inherit it held. */
static pthread_once_t lite_sigint_once = PTHREAD_ONCE_INIT;
static void lite_sigint_unlock_in_child(void) { pthread_mutex_init(&lite_sigint_lock, NULL); }
static void lite_sigint_init(void) { pthread_atfork(NULL, NULL, lite_sigint_unlock_in_child); }

/* SIGINT's handler (in *now) is not ours, and neither ignores SIGINT nor
   is the default, which ends the process anyway. */
static inline int lite_sigint_wants_arming(struct sigaction* now) {
    return sigaction(SIGINT, NULL, now) == 0 && !((now->sa_flags & SA_SIGINFO) && now->sa_sigaction == lite_on_sigint)
           && ((now->sa_flags & SA_SIGINFO) || (now->sa_handler != SIG_DFL && now->sa_handler != SIG_IGN));
}

/* Put lite_on_sigint in front of SIGINT's handler, unless it is there
   already (one sigaction query: cheap enough for every call). Python may
   have replaced it since (signal.signal), so each call looks again. */
static void lite_sigint_arm(void) {
    struct sigaction now, ours;
    if (!lite_sigint_wants_arming(&now))
        return;   /* the usual case: armed already */
    pthread_once(&lite_sigint_once, lite_sigint_init);
    pthread_mutex_lock(&lite_sigint_lock);
    if (lite_sigint_wants_arming(&now)) {
        lite_sigint_next = now;   /* ours is not installed: no handler reads this now */
        ours = now;
        ours.sa_flags = now.sa_flags | SA_SIGINFO;
        ours.sa_sigaction = lite_on_sigint;
        sigaction(SIGINT, &ours, NULL);
    }
    pthread_mutex_unlock(&lite_sigint_lock);
}
#endif
