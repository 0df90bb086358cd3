package chibo.presentation.common

import uniffi.chibo_domain.FixQuality
import uniffi.chibo_domain.QualityGrade

// The words themselves come from the core: chibo.presentation.api.Labels.

/** How a UI shows a judgement: the words, and whether it is good, pending or a problem. */
enum class Tone { Good, Neutral, Warning, Problem }

// A check-in's verdict: chibo.presentation.cadre.toUi, which also reads the office's review.

fun QualityGrade.tone(): Tone = when (this) {
    QualityGrade.GOOD -> Tone.Good
    QualityGrade.FAIR -> Tone.Neutral
    QualityGrade.AVERAGE -> Tone.Warning
    QualityGrade.POOR -> Tone.Problem
}

/** A location fix's quality (the core's rule); null while the phone is still looking. */
fun FixQuality?.tone(): Tone = when (this) {
    null -> Tone.Neutral
    FixQuality.GOOD -> Tone.Good
    FixQuality.FAIR -> Tone.Warning
    FixQuality.POOR -> Tone.Problem
}
