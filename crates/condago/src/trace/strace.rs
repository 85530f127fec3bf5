//! Reads `strace -f -q -tt -e trace=execve,openat,open` output: the files the shell opened
//! (or failed to), and the programs run during startup with their exit status and time.

use std::collections::HashMap;

use super::Program;

/// One `open`/`openat` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Open {
    pub pid: u32,
    pub path: String,
    /// The error name (`ENOENT`, `EACCES`) when it failed.
    pub error: Option<String>,
}

/// What the system calls showed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Syscalls {
    /// The traced shell's process (the first one strace saw).
    pub shell_pid: u32,
    pub opens: Vec<Open>,
    pub programs: Vec<Program>,
}

/// Parses strace's output file.
pub(crate) fn parse(text: &str) -> Syscalls {
    let mut result = Syscalls::default();
    // A call cut by another process's line: its start and when it began.
    let mut pending: HashMap<u32, (String, Option<f64>)> = HashMap::new();
    // pid → (index in programs, start time)
    let mut running: HashMap<u32, (usize, f64)> = HashMap::new();
    let mut first = true;
    for line in text.lines() {
        // strace pads short pids with spaces.
        let Some((pid, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let Some((time, rest)) = rest.trim_start().split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let mut time = seconds(time);
        if first {
            result.shell_pid = pid;
            first = false;
        }
        let call = if let Some(start) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, (start.to_string(), time));
            continue;
        } else if let Some(resumed) = rest.strip_prefix("<... ") {
            let Some((_, tail)) = resumed.split_once(" resumed>") else {
                continue;
            };
            let (start, began) = pending.remove(&pid).unwrap_or_default();
            time = began.or(time);
            format!("{start}{tail}")
        } else {
            rest.to_string()
        };
        if let Some(status) = call.strip_prefix("+++ ") {
            if let Some((index, start)) = running.remove(&pid) {
                let program = &mut result.programs[index];
                program.status = status
                    .strip_prefix("exited with ")
                    .and_then(|s| s.split(' ').next())
                    .and_then(|s| s.parse().ok());
                program.seconds = time.zip(Some(start)).map(|(end, start)| end - start);
            }
            continue;
        }
        let Some((name, args)) = call.split_once('(') else {
            continue;
        };
        let Some((_, ret)) = call.rsplit_once(") = ") else {
            continue;
        };
        let failed = ret.starts_with('-');
        match name {
            "execve" if !failed && pid != result.shell_pid => {
                let argv = argv(args);
                match running.get(&pid) {
                    // The same process ran another program (`exec`): the last one counts.
                    Some(&(index, _)) => result.programs[index].argv = argv,
                    None => {
                        running.insert(pid, (result.programs.len(), time.unwrap_or(0.0)));
                        result.programs.push(Program {
                            argv,
                            status: None,
                            seconds: None,
                        });
                    }
                }
            }
            "openat" | "open" => {
                if let Some(path) = first_string(args) {
                    result.opens.push(Open {
                        pid,
                        path,
                        error: failed
                            .then(|| ret.split_whitespace().nth(1).unwrap_or("error").to_string()),
                    });
                }
            }
            _ => {}
        }
    }
    result
}

/// `HH:MM:SS.micro` as seconds since midnight.
fn seconds(time: &str) -> Option<f64> {
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// The first C string in the arguments.
fn first_string(args: &str) -> Option<String> {
    let start = args.find('"')?;
    Some(c_string(&args[start..]).0)
}

/// The `["a", "b"]` argument vector of an `execve`.
fn argv(args: &str) -> Vec<String> {
    let Some(open) = args.find('[') else {
        return Vec::new();
    };
    let mut rest = &args[open + 1..];
    let mut argv = Vec::new();
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if !rest.starts_with('"') {
            break;
        }
        let (text, used) = c_string(rest);
        argv.push(text);
        rest = &rest[used..];
        // strace marks a string cut at `-s` with `...` after the quote.
        rest = rest.strip_prefix("...").unwrap_or(rest);
    }
    argv
}

/// Decodes a strace C string starting at its opening quote; returns it and the bytes used.
fn c_string(text: &str) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b'\\' if i + 1 < bytes.len() => {
                i += 1;
                match bytes[i] {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'v' => out.push(0x0b),
                    b'f' => out.push(0x0c),
                    b'x' => {
                        let hex = text.get(i + 1..i + 3).unwrap_or("");
                        if let Ok(byte) = u8::from_str_radix(hex, 16) {
                            out.push(byte);
                            i += 2;
                        }
                    }
                    digit @ b'0'..=b'7' => {
                        let mut value = u32::from(digit - b'0');
                        let mut taken = 0;
                        while taken < 2
                            && i + 1 < bytes.len()
                            && (b'0'..=b'7').contains(&bytes[i + 1])
                        {
                            i += 1;
                            taken += 1;
                            value = value * 8 + u32::from(bytes[i] - b'0');
                        }
                        out.push(value as u8);
                    }
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    (String::from_utf8_lossy(&out).into_owned(), bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_opens_programs_and_exits() {
        let text = "\
100  09:00:00.000000 execve(\"/usr/bin/env\", [\"env\", \"-i\"], 0x7ff /* 1 var */) = 0
100 09:00:00.001000 execve(\"/usr/bin/bash\", [\"/usr/bin/bash\", \"-x\"], 0x7ff /* 4 vars */) = 0
100 09:00:00.002000 openat(AT_FDCWD, \"/h/.bashrc\", O_RDONLY) = 3
100 09:00:00.003000 openat(AT_FDCWD, \"/h/missing\", O_RDONLY) = -1 ENOENT (No such file or directory)
101 09:00:00.004000 execve(\"/h/bin/tool\", [\"tool\", \"init\", \"-\"], 0x55 /* 4 vars */ <unfinished ...>
100 09:00:00.004500 openat(AT_FDCWD, \"/h/x\", O_RDONLY <unfinished ...>
101 09:00:00.005000 <... execve resumed>) = 0
100 09:00:00.005500 <... openat resumed>) = -1 EACCES (Permission denied)
101 09:00:00.010000 +++ exited with 3 +++
";
        let calls = parse(text);
        assert_eq!(calls.shell_pid, 100);
        let opens: Vec<(&str, Option<&str>)> = calls
            .opens
            .iter()
            .map(|o| (o.path.as_str(), o.error.as_deref()))
            .collect();
        assert_eq!(
            opens,
            [
                ("/h/.bashrc", None),
                ("/h/missing", Some("ENOENT")),
                ("/h/x", Some("EACCES"))
            ]
        );
        assert_eq!(calls.programs.len(), 1);
        assert_eq!(calls.programs[0].argv, ["tool", "init", "-"]);
        assert_eq!(calls.programs[0].status, Some(3));
        let took = calls.programs[0].seconds.expect("a time");
        assert!((took - 0.006).abs() < 1e-6, "{took}");
    }
}
