use super::*;

fn state() -> State<&'static str> {
    State::new()
}

fn pop(state: &mut State<&'static str>) -> Option<&'static str> {
    match state.pop(None) {
        Pop::Item(item, _) => Some(item),
        Pop::Empty | Pop::Closed => None,
    }
}

#[test]
fn placeholder() {
    let mut s = state();
    s.add("a", None);
    assert_eq!(pop(&mut s), Some("a"));
    s.check_invariants();
}
