import CNcurses
import Foundation
import StreamSQL
import StreamSQLScenarios
import Synchronization

/// Presents a story on the dashboard (`streamsql present STORY`, `streamsql demo NAME --story`): the caption
/// in the bottom line, the title and step in the top one. → or Space runs the next step (its events paced by
/// `.speed`), ← goes back a step by re-running the story from the start with the same seed as fast as
/// possible (so the screen is exactly as it was), p pauses, q leaves. Everything a step does is a function
/// of the seed and the steps before it, so every run of a story shows the same screens.
public final class Presenter: @unchecked Sendable {
    public let story: Story
    public let seed: UInt64
    let demosDirectory: String
    /// The look of the dashboard (theme, mouse).
    public var configure: (Dashboard) -> Void = { _ in }
    /// Where the frames shown are recorded (`--record FILE.cast`).
    public var recorder: CastRecorder?
    /// Where a text frame is written every few seconds (`--snapshot-every 5s DIR`).
    public var snapshots: SnapshotWriter?

    /// One run of the story: a fresh engine, generator and dashboard.
    final class Run: @unchecked Sendable {
        let session: ScenarioSession
        let generator: ScheduledGenerator
        let board: Dashboard
        /// The step shown (0-based).
        var step = 0
        var speed: Double? = nil
        let feeding = Atomic<Bool>(false)
        let hurry = Atomic<Bool>(false)
        let paused = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
        var thread: Thread?
        let done = DispatchSemaphore(value: 0)

        init(session: ScenarioSession, generator: ScheduledGenerator, board: Dashboard) {
            self.session = session
            self.generator = generator
            self.board = board
        }
    }

    public init(story: Story, seed: UInt64, demosDirectory: String) {
        self.story = story
        self.seed = seed
        self.demosDirectory = demosDirectory
    }

    /// A fresh run at the story's start; errors if the scenario's script fails or a step names no pane.
    func makeRun() throws(Story.ParseError) -> Run {
        let session = ScenarioSession(scenarios: [story.scenario], demosDirectory: demosDirectory)
        if let e = session.errors.first { throw Story.ParseError(description: e) }
        let names = session.panes.map { $0.spec.name.lowercased() }
        for step in story.steps {
            for a in step.actions {
                let pane: String
                switch a {
                case .focus(let p), .zoom(let p), .highlight(let p, _): pane = p
                default: continue
                }
                guard names.contains(pane.lowercased()) else {
                    throw Story.ParseError(description: "line \(step.line)+: no pane '\(pane)' in \(story.scenario.script); its panes: \(names.joined(separator: ", "))")
                }
            }
        }
        let generator = ScheduledGenerator(story.scenario.generator(GeneratorConfig(seed: seed)))
        let board = session.dashboard(feeder: nil)
        let run = Run(session: session, generator: generator, board: board)
        board.banner = { [unowned self, unowned run] in self.banner(run) }
        let (r, sn) = (recorder, snapshots)
        if r != nil || sn != nil { board.onFrame = { r?.record($0); sn?.offer($0) } }
        configure(board)
        return run
    }

    func banner(_ run: Run) -> (top: String, caption: String) {
        let n = story.steps.count
        var parts = [" \(story.title) · step \(run.step + 1)/\(n)"]
        if let t = run.generator.lastEventTimeMs {
            parts.append("event " + String(TimeFormat.iso8601(nanos: t * 1_000_000).prefix(19)).replacingOccurrences(of: "T", with: " "))
        }
        let state = run.paused.load(ordering: .relaxed) ? "PAUSED: p resumes"
            : run.feeding.load(ordering: .relaxed) ? "running…"
            : run.step + 1 < n ? "→ next" : "the end"
        parts.append(state)
        parts.append("← back · p pause · q")
        return (parts.joined(separator: " │ "), story.steps[min(run.step, n - 1)].caption)
    }

    /// Applies a step's screen actions (focus, zoom, highlight) to the dashboard.
    func applyScreen(_ step: Story.Step, _ board: Dashboard) {
        for a in step.actions {
            func index(_ name: String) -> Int? { board.groupPanes.firstIndex { $0.spec.name.lowercased() == name.lowercased() } }
            switch a {
            case .focus(let p): if let i = index(p) { board.focus = i; board.zoomed = false }
            case .zoom(let p): if let i = index(p) { board.focus = i; board.zoomed = true }
            case .highlight(let p, let filter): if let i = index(p) { board.focus = i; board.groupPanes[i].filter = filter }
            default: break
            }
        }
    }

    /// Runs a step's incidents and waits on the calling thread; paced unless `fast`.
    func feed(_ step: Story.Step, _ run: Run, fast: Bool) {
        for a in step.actions {
            if run.stop.load(ordering: .relaxed) { return }
            switch a {
            case .incident(let t): run.generator.trigger(t)
            case .speed(let s): run.speed = s
            case .wait(let n): emit(n, run, rate: fast ? nil : run.speed.map { $0 * 1000 / story.scenario.stepMs })
            case .hold(let seconds) where !fast:
                // Wall time, in slices so that hurrying or stopping ends it, and pausing stretches it.
                var left = seconds
                while left > 0, !run.stop.load(ordering: .relaxed), !run.hurry.load(ordering: .relaxed) {
                    usleep(20_000)
                    if !run.paused.load(ordering: .relaxed) { left -= 0.02 }
                }
            default: break
            }
        }
        run.session.engine.drain()
    }

    /// Events go in synchronously, one at a time: with several streams (routing's tickets and agent statuses)
    /// the engine then sees them in the generator's order however the step is paced, so ← and a recording
    /// show what the live run showed.
    private func emit(_ n: Int, _ run: Run, rate: Double?) {
        let engine = run.session.engine
        var sent = 0
        var start = DispatchTime.now().uptimeNanoseconds
        while sent < n, !run.stop.load(ordering: .relaxed) {
            if run.paused.load(ordering: .relaxed) && !run.hurry.load(ordering: .relaxed) {
                usleep(10_000)
                start &+= 10_000_000
                continue
            }
            var due = n - sent
            if let r = rate, r > 0, !run.hurry.load(ordering: .relaxed) {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
                due = max(0, min(due, Int(elapsed * r) - sent))
            }
            for _ in 0..<due {
                let e = run.generator.next()
                _ = engine.emitSync(e.fields, to: e.stream)
            }
            sent += due
            if sent < n { usleep(5_000) }
        }
    }

    /// A run brought to the end of step `k` as fast as possible (← and tests).
    func prepared(through k: Int) throws(Story.ParseError) -> Run {
        let run = try makeRun()
        for i in 0...max(0, min(k, story.steps.count - 1)) {
            run.step = i
            applyScreen(story.steps[i], run.board)
            feed(story.steps[i], run, fast: true)
        }
        return run
    }

    /// The screen at the end of step `k` (0-based), as text.
    public func frame(afterStep k: Int, width: Int = 100, height: Int = 30) throws(Story.ParseError) -> String {
        let run = try prepared(through: k)
        defer { run.session.engine.stopAll(flush: false) }
        return run.board.snapshot(width: width, height: height)
    }

    /// Plays the whole story into `recorder` without a terminal: `fps` frames a second of the story's own
    /// pacing (`.speed`), `hold` seconds on each step's last frame. Times are the story's, not the wall
    /// clock's, so the same seed gives the same file byte for byte.
    public func record(to recorder: CastRecorder?, width: Int, height: Int, fps: Double = 4, hold: Double = 3) throws(Story.ParseError) {
        let run = try makeRun()
        defer { run.session.engine.stopAll(flush: false) }
        var t = 0.0
        func shoot() {
            run.session.engine.drain()
            let f = run.board.render(width: width, height: height)
            recorder?.record(f, at: t)
            snapshots?.offer(f, at: t)
        }
        for (i, step) in story.steps.enumerated() {
            run.step = i
            applyScreen(step, run.board)
            run.feeding.store(true, ordering: .relaxed)
            shoot()
            for a in step.actions {
                switch a {
                case .incident(let trigger): run.generator.trigger(trigger)
                case .speed(let s): run.speed = s
                case .wait(let n):
                    // Events per frame at this speed (all at once when there is none).
                    let chunk = run.speed.map { max(1, Int(($0 * 1000 / story.scenario.stepMs / fps).rounded())) } ?? max(1, n)
                    var sent = 0
                    while sent < n {
                        let k = min(chunk, n - sent)
                        for _ in 0..<k {
                            let e = run.generator.next()
                            _ = run.session.engine.emitSync(e.fields, to: e.stream)
                        }
                        sent += k
                        t += 1 / fps
                        shoot()
                    }
                case .hold(let seconds): t += seconds
                default: break
                }
            }
            run.feeding.store(false, ordering: .relaxed)
            t += 1 / fps
            shoot()
            t += hold
        }
    }

    /// Starts step `run.step` live on a thread of its own.
    func startLive(_ run: Run) {
        let step = story.steps[run.step]
        applyScreen(step, run.board)
        run.hurry.store(false, ordering: .relaxed)
        run.feeding.store(true, ordering: .relaxed)
        let t = Thread { [self] in
            feed(step, run, fast: false)
            run.feeding.store(false, ordering: .relaxed)
            run.done.signal()
        }
        t.name = "streamsql-story"
        run.thread = t
        t.start()
    }

    /// Waits for the running step (hurrying it, or stopping it when `stop`).
    func finish(_ run: Run, stop: Bool) {
        guard run.thread != nil else { return }
        if stop { run.stop.store(true, ordering: .relaxed) } else { run.hurry.store(true, ordering: .relaxed) }
        run.done.wait()
        run.thread = nil
    }

    /// Presents the story full screen until q or a signal.
    public func run() throws(Story.ParseError) -> Dashboard.Exit {
        var run = try makeRun()
        startLive(run)
        while true {
            var back = false
            let current = run
            current.board.keyHook = { [unowned self] key in
                switch key {
                case ss_key_right(), 32:
                    // → while a step runs finishes it at once; then the next step starts.
                    self.finish(current, stop: false)
                    if current.step + 1 < self.story.steps.count {
                        current.step += 1
                        self.startLive(current)
                    }
                    return true
                case ss_key_left():
                    if current.step == 0 { return true }
                    back = true
                    return false
                case Int32(UInt8(ascii: "p")):
                    current.paused.store(!current.paused.load(ordering: .relaxed), ordering: .relaxed)
                    return true
                default: return nil
                }
            }
            let exit = current.board.run()
            finish(current, stop: true)
            current.session.engine.stopAll(flush: false)
            guard back, exit == .quit else { return exit }
            run = try prepared(through: current.step - 1)
        }
    }
}
