#ifndef STREAMSQL_CNCURSES_SHIM_H
#define STREAMSQL_CNCURSES_SHIM_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdio.h>
#include <ncursesw/curses.h>

/* A narrow C surface over curses: Swift never touches curses globals or macros directly. */

/* Colour pairs used by the dashboard. */
enum { SS_NORMAL = 0, SS_GREEN = 1, SS_AMBER = 2, SS_RED = 3, SS_ACCENT = 4, SS_DIM = 5, SS_HEADER = 6, SS_HIGHLIGHT = 7 };

static SCREEN *streamsql_screen = 0;

/* Starts curses on the terminal. Returns the number of colours (0 for none), or -1 if the terminal
   cannot be used. */
/* Whether colour pairs are drawn (off without colours, or when NO_COLOR asks for none). */
static int streamsql_color = 0;

/* theme: 0 the default (terminal's own background), 1 high contrast for projectors (bright colours on
   black, no grey). */
static inline int ss_start(int want_color, int theme) {
    setlocale(LC_ALL, "");
    streamsql_screen = newterm(NULL, stdout, stdin);
    if (!streamsql_screen) return -1;
    set_term(streamsql_screen);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    int colors = 0;
    streamsql_color = want_color && has_colors();
    if (streamsql_color) {
        start_color();
        colors = COLORS;
        if (theme == 1) {
            /* White on black everywhere (pair 0 too), the bright variants where the terminal has 16 colours. */
            int bright = colors >= 16 ? 8 : 0;
            assume_default_colors(COLOR_WHITE + bright, COLOR_BLACK);
            init_pair(SS_GREEN, COLOR_GREEN + bright, COLOR_BLACK);
            init_pair(SS_AMBER, COLOR_YELLOW + bright, COLOR_BLACK);
            init_pair(SS_RED, COLOR_RED + bright, COLOR_BLACK);
            init_pair(SS_ACCENT, COLOR_CYAN + bright, COLOR_BLACK);
            init_pair(SS_DIM, COLOR_WHITE + bright, COLOR_BLACK);
            init_pair(SS_HEADER, COLOR_BLACK, COLOR_WHITE + bright);
            init_pair(SS_HIGHLIGHT, COLOR_BLACK, COLOR_YELLOW + bright);
            return colors;
        }
        use_default_colors();
        init_pair(SS_GREEN, COLOR_GREEN, -1);
        init_pair(SS_AMBER, COLOR_YELLOW, -1);
        init_pair(SS_RED, COLOR_RED, -1);
        init_pair(SS_ACCENT, COLOR_CYAN, -1);
        init_pair(SS_DIM, colors >= 16 ? 8 : COLOR_WHITE, -1);
        init_pair(SS_HEADER, COLOR_BLACK, COLOR_CYAN);
        init_pair(SS_HIGHLIGHT, COLOR_BLACK, COLOR_YELLOW);
    }
    return colors;
}

static inline void ss_stop(void) {
    if (!streamsql_screen) return;
    mousemask(0, NULL);
    endwin();
    delscreen(streamsql_screen);
    streamsql_screen = 0;
}

static inline int ss_active(void) { return streamsql_screen != 0; }
static inline int ss_lines(void) { return LINES; }
static inline int ss_cols(void) { return COLS; }
static inline int ss_getch(int timeout_ms) { wtimeout(stdscr, timeout_ms); return wgetch(stdscr); }
static inline void ss_erase(void) { werase(stdscr); }
static inline void ss_refresh(void) { wrefresh(stdscr); }
static inline int ss_key_resize(void) { return KEY_RESIZE; }
static inline int ss_key_left(void) { return KEY_LEFT; }
static inline int ss_key_right(void) { return KEY_RIGHT; }
static inline int ss_key_enter(void) { return KEY_ENTER; }
static inline int ss_key_btab(void) { return KEY_BTAB; }
static inline int ss_key_backspace(void) { return KEY_BACKSPACE; }
static inline int ss_key_up(void) { return KEY_UP; }
static inline int ss_key_down(void) { return KEY_DOWN; }
static inline int ss_key_ppage(void) { return KEY_PPAGE; }
static inline int ss_key_npage(void) { return KEY_NPAGE; }
static inline int ss_key_home(void) { return KEY_HOME; }
static inline int ss_key_end(void) { return KEY_END; }
static inline int ss_key_mouse(void) { return KEY_MOUSE; }

/* Mouse: presses of the left button and the wheel, reported at once (no click grouping: the dashboard
   tells a double click from two clicks itself). Returns whether the terminal reports the mouse. */
static inline int ss_mouse(int on) {
    if (!on) { mousemask(0, NULL); return 0; }
    mouseinterval(0);
    mmask_t want = BUTTON1_PRESSED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
    want |= BUTTON5_PRESSED;
#endif
    return mousemask(want, NULL) != 0;
}

/* The mouse event after KEY_MOUSE: 1 left press, 2 wheel up, 3 wheel down, 0 other, -1 none. */
static inline int ss_getmouse(int *y, int *x) {
    MEVENT e;
    if (getmouse(&e) != OK) return -1;
    *y = e.y;
    *x = e.x;
    if (e.bstate & BUTTON1_PRESSED) return 1;
    if (e.bstate & BUTTON4_PRESSED) return 2;
#ifdef BUTTON5_PRESSED
    if (e.bstate & BUTTON5_PRESSED) return 3;
#endif
    return 0;
}

/* Writes UTF-8 text at (y, x) with a colour pair and attributes. */
static inline void ss_put(int y, int x, const char *text, int pair, int bold, int reverse) {
    attr_t a = A_NORMAL;
    if (bold) a |= A_BOLD;
    if (reverse) a |= A_REVERSE;
    if (pair > 0 && streamsql_color) a |= COLOR_PAIR(pair);
    /* Without colour, the header bar and highlighted rows keep their look by reverse video. */
    if (!streamsql_color && (pair == SS_HEADER || pair == SS_HIGHLIGHT)) a |= A_REVERSE;
    wattr_set(stdscr, a, 0, NULL);
    if (pair > 0 && streamsql_color) wcolor_set(stdscr, (short)pair, NULL);
    mvwaddstr(stdscr, y, x, text);
    wattr_set(stdscr, A_NORMAL, 0, NULL);
}
#endif
