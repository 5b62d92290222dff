//! A render job: one captured record for one native handler, formatted on the writer's worker
//! (or, for a record delivered before its call returns, on the calling thread without the GIL).

use std::sync::Arc;

use crate::io::msgpack::encode_record;
use crate::io::Render;
use crate::native_record::RecordRef;

use super::target::Target;

pub(crate) struct Job {
    pub(crate) rec: RecordRef,
    pub(crate) target: Arc<Target>,
}

impl Render for Job {
    fn weight(&self) -> usize {
        let extra = self.rec.extra.as_ref().map_or(0, |t| {
            t.exc_text.as_ref().map_or(0, String::len) + t.stack_info.as_ref().map_or(0, String::len)
        });
        128 + self.rec.message.size_hint() + extra
    }

    fn render(&self, out: &mut Vec<u8>) {
        thread_local! {
            // One line buffer per rendering thread, reused for every record.
            static LINE: std::cell::RefCell<String> = std::cell::RefCell::new(String::with_capacity(256));
        }
        LINE.with(|cell| self.render_with(&mut cell.borrow_mut(), out))
    }
}

impl Job {
    fn render_with(&self, line: &mut String, out: &mut Vec<u8>) {
        line.clear();
        let done = if self.target.wire {
            encode_record(&self.rec, self.target.needs_caller, out).map_err(|e| e.to_string())
        } else {
            self.target.plan.render(&*self.rec, self.rec.created, line).map_err(|e| e.to_string())
        };
        match done {
            Ok(()) if self.target.wire => {}
            Ok(()) => {
                line.push_str(&self.target.terminator);
                out.extend_from_slice(line.as_bytes());
            }
            Err(e) => {
                // No Python here: report like handleError would, on stderr, and keep going.
                let msg = format!(
                    "--- Logging error ---\n{e}\nMessage: {:?}\nLogger: {} ({})\n",
                    self.rec.message.text(), self.rec.name, self.rec.levelname
                );
                let _ = crate::io::queue::write_all_fd(2, msg.as_bytes());
            }
        }
    }
}
