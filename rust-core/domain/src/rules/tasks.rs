//! Results of last month's tasks, reviewed at this meeting: 30 of Guideline 42's 100
//! points. A task done counts 1, partly done ½, not done or not reviewed 0.

use serde::{Deserialize, Serialize};

use super::{Warning, WarningCode};
use crate::labels::format_percent;
use crate::model::{latest_review, Task, TaskOutcome, TaskReview};

/// Below this share of last month's tasks done, results earn the fewest points.
pub const LOW_TASK_RESULTS_PERCENT: f64 = 50.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskResults {
    pub total: u32,
    pub done: u32,
    pub partly_done: u32,
    pub not_done: u32,
    pub unreviewed: u32,
    /// Done plus half of partly done, over all of last month's tasks.
    pub done_share_percent: f64,
}

/// None when last month set no tasks.
pub fn task_results(previous_tasks: &[Task], reviews: &[TaskReview]) -> Option<TaskResults> {
    if previous_tasks.is_empty() {
        return None;
    }
    let outcome_of = |task: &Task| latest_review(reviews, &task.id).map(|r| r.outcome);
    let count = |wanted: Option<TaskOutcome>| {
        previous_tasks
            .iter()
            .filter(|t| outcome_of(t) == wanted)
            .count() as u32
    };
    let total = previous_tasks.len() as u32;
    let done = count(Some(TaskOutcome::Done));
    let partly_done = count(Some(TaskOutcome::PartlyDone));
    Some(TaskResults {
        total,
        done,
        partly_done,
        not_done: count(Some(TaskOutcome::NotDone)),
        unreviewed: count(None),
        // In halves, so the division is exact where it can be.
        done_share_percent: f64::from(2 * done + partly_done) * 50.0 / f64::from(total),
    })
}

/// TasksNotReviewed for tasks left unjudged; LowTaskResults below 50 % done.
pub fn task_warnings(results: &TaskResults) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if results.unreviewed > 0 {
        warnings.push(Warning::new(
            WarningCode::TasksNotReviewed,
            format!(
                "Còn {}/{} nhiệm vụ tháng trước chưa được đánh giá",
                results.unreviewed, results.total
            ),
        ));
    }
    if results.done_share_percent < LOW_TASK_RESULTS_PERCENT {
        warnings.push(Warning::new(
            WarningCode::LowTaskResults,
            format!(
                "Nhiệm vụ tháng trước mới hoàn thành {} ({} xong, {} xong một phần trên {} \
                 nhiệm vụ), dưới {}",
                format_percent(results.done_share_percent),
                results.done,
                results.partly_done,
                results.total,
                format_percent(LOW_TASK_RESULTS_PERCENT)
            ),
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::id;
    use crate::time::CalendarDate;

    fn tasks(count: u32) -> Vec<Task> {
        (1..=count)
            .map(|n| Task {
                id: id(200 + n),
                description: format!("Nhiệm vụ {n}"),
                assignee_id: id(1),
                deadline: CalendarDate::from_ymd(2026, 10, 20).unwrap(),
            })
            .collect()
    }

    fn review(task: u32, outcome: TaskOutcome) -> TaskReview {
        TaskReview {
            task_id: id(200 + task),
            outcome,
            note: None,
        }
    }

    #[test]
    fn no_previous_tasks_means_no_results() {
        assert_eq!(task_results(&[], &[review(1, TaskOutcome::Done)]), None);
    }

    #[test]
    fn partly_done_counts_half_and_unreviewed_nothing() {
        let reviews = [
            review(1, TaskOutcome::Done),
            review(2, TaskOutcome::Done),
            review(3, TaskOutcome::PartlyDone),
        ];
        let results = task_results(&tasks(5), &reviews).unwrap();
        assert_eq!(
            results,
            TaskResults {
                total: 5,
                done: 2,
                partly_done: 1,
                not_done: 0,
                unreviewed: 2,
                done_share_percent: 50.0,
            }
        );
        assert_eq!(
            task_warnings(&results),
            vec![Warning::new(
                WarningCode::TasksNotReviewed,
                "Còn 2/5 nhiệm vụ tháng trước chưa được đánh giá"
            )]
        );
    }

    #[test]
    fn the_latest_review_of_a_task_stands() {
        let reviews = [
            review(1, TaskOutcome::NotDone),
            review(1, TaskOutcome::Done),
        ];
        let results = task_results(&tasks(1), &reviews).unwrap();
        assert_eq!(results.done, 1);
        assert_eq!(results.not_done, 0);
        assert_eq!(results.done_share_percent, 100.0);
    }

    #[test]
    fn low_results_are_warned_with_figures() {
        let reviews = [
            review(1, TaskOutcome::Done),
            review(2, TaskOutcome::PartlyDone),
            review(3, TaskOutcome::NotDone),
            review(4, TaskOutcome::NotDone),
        ];
        let results = task_results(&tasks(4), &reviews).unwrap();
        assert_eq!(results.done_share_percent, 37.5);
        assert_eq!(
            task_warnings(&results),
            vec![Warning::new(
                WarningCode::LowTaskResults,
                "Nhiệm vụ tháng trước mới hoàn thành 37,5% (1 xong, 1 xong một phần trên 4 \
                 nhiệm vụ), dưới 50%"
            )]
        );
    }
}
