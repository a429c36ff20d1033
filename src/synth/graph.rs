//! Dependency cycles between blocks.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Color {
    Unvisited,
    OnPath,
    Done,
}

/// Finds a cycle in a directed graph given as adjacency lists, in linear
/// time. Returns its nodes in order (`[a, b, c]` for `a → b → c → a`),
/// starting the search from the lowest node so the answer is stable.
pub(crate) fn find_cycle(edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    let mut color = vec![Color::Unvisited; edges.len()];
    let mut path: Vec<(usize, usize)> = Vec::new();
    for start in 0..edges.len() {
        if color[start] != Color::Unvisited {
            continue;
        }
        color[start] = Color::OnPath;
        path.push((start, 0));
        while let Some((node, next_edge)) = path.last_mut() {
            let node = *node;
            let Some(&next) = edges[node].get(*next_edge) else {
                color[node] = Color::Done;
                path.pop();
                continue;
            };
            *next_edge += 1;
            match color[next] {
                Color::Unvisited => {
                    color[next] = Color::OnPath;
                    path.push((next, 0));
                }
                Color::OnPath => {
                    let from = path.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    return Some(path[from..].iter().map(|(n, _)| *n).collect());
                }
                Color::Done => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acyclic_graphs_have_no_cycle() {
        assert_eq!(find_cycle(&[vec![1, 2], vec![2], vec![]]), None);
        assert_eq!(find_cycle(&[]), None);
    }

    #[test]
    fn a_cycle_is_returned_in_order() {
        // 0 → 1 → 2 → 3 → 1
        let edges = vec![vec![1], vec![2], vec![3], vec![1]];
        assert_eq!(find_cycle(&edges), Some(vec![1, 2, 3]));
    }

    #[test]
    fn a_self_reference_is_a_cycle() {
        assert_eq!(find_cycle(&[vec![], vec![1]]), Some(vec![1]));
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        edges[n - 1] = vec![0];
        let cycle = find_cycle(&edges).unwrap();
        assert_eq!(cycle.len(), n);
    }
}
