package chibo.ui

import chibo.presentation.common.Str
import chibo.presentation.common.str
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import chibo.presentation.cadre.CheckInStateHolder
import chibo.presentation.common.SyncUi
import chibo.presentation.meeting.FlowStep
import chibo.presentation.meeting.Mark
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.ui.screens.CheckInActions
import chibo.ui.screens.CheckInScreen
import chibo.ui.screens.MeetingFlowActions
import chibo.ui.screens.MeetingFlowScreen
import uniffi.chibo_domain.TaskOutcome

// The glue between a state holder and its screen: collect the state, forward the events.
// The Android shell and the desktop click-through tests use the same routes.

@Composable
fun MeetingFlowRoute(
    holder: MeetingFlowStateHolder,
    sync: SyncUi?,
    onSync: () -> Unit,
    onLeave: () -> Unit,
    onPresenceCode: (String) -> Unit,
    onShare: (String) -> Unit,
    onOpenMeeting: (String) -> Unit = {},
) {
    val state by holder.state.collectAsState()
    // A correction was made: open its flow.
    LaunchedEffect(state.openCorrection) {
        state.openCorrection?.let { id ->
            holder.correctionOpened()
            onOpenMeeting(id)
        }
    }
    val actions = remember(holder) {
        object : MeetingFlowActions {
            override fun back() = onLeave()
            override fun next() = holder.next()
            override fun previousStep() { holder.back() }
            override fun goTo(step: FlowStep) = holder.goTo(step)
            override fun dismissError() = holder.dismissError()
            override fun openAppSettings() = holder.openAppSettings()
            override fun noticeToMembers(sent: Boolean) { holder.setNoticeToMembers(sent) }
            override fun noticeToCadre(sent: Boolean) { holder.setNoticeToCadre(sent) }
            override fun documentsDaysBefore(days: Int?) { holder.setDocumentsDaysBefore(days) }
            override fun startNow() { holder.startNow() }
            override fun chair(memberId: String) { holder.chooseChair(memberId) }
            override fun minuteTaker(memberId: String) { holder.chooseMinuteTaker(memberId) }
            override fun mark(memberId: String, mark: Mark, reason: String?) { holder.mark(memberId, mark, reason) }
            override fun markRestPresent() { holder.markRestPresent() }
            override fun speaker(id: String) = holder.chooseSpeaker(id)
            override fun gist(text: String) = holder.editGist(text)
            override fun addSpeech() { holder.addSpeech() }
            override fun review(taskId: String, outcomeLabel: String) {
                val outcome = when (outcomeLabel) {
                    str(Str.da_xong) -> TaskOutcome.DONE
                    str(Str.lam_mot_phan) -> TaskOutcome.PARTLY_DONE
                    else -> TaskOutcome.NOT_DONE
                }
                holder.reviewTask(taskId, outcome)
            }
            override fun taskText(text: String) = holder.editTask(text)
            override fun assignee(memberId: String) = holder.chooseAssignee(memberId)
            override fun deadline(isoDate: String) = holder.chooseDeadline(isoDate)
            override fun addTask() { holder.addTask() }
            override fun voteQuestion(text: String) = holder.editVoteQuestion(text)
            override fun changeVote(inFavor: Int, against: Int, abstain: Int) = holder.changeVote(inFavor, against, abstain)
            override fun recordVote() { holder.recordVote() }
            override fun petitionText(text: String) = holder.editPetition(text)
            override fun petitionCategory(label: String) = holder.choosePetitionCategory(label)
            override fun raisePetition() { holder.raisePetition() }
            override fun score(key: String, value: Int) { holder.setScore(key, value) }
            override fun conclusion(text: String) = holder.editConclusion(text)
            override fun endNow() { holder.endNow() }
            override fun takePhoto() { holder.takePhoto() }
            override fun sign() { holder.sign() }
            override fun presenceCode() = onPresenceCode(holder.state.value.meetingId)
            override fun share() = onShare(holder.state.value.meetingId)
            override fun guestName(text: String) = holder.editGuestName(text)
            override fun guestTitle(text: String) = holder.editGuestTitle(text)
            override fun addGuest(delegate: Boolean) { holder.addGuest(delegate) }
            override fun removeGuest(name: String) { holder.removeGuest(name) }
            override fun approveMinutes(approved: Boolean) { holder.approveMinutes(approved) }
            override fun startCorrection() { holder.startCorrection() }
        }
    }
    MeetingFlowScreen(state, sync, onSync, actions)
}

@Composable
fun CheckInRoute(holder: CheckInStateHolder, onLeave: () -> Unit) {
    val state by holder.state.collectAsState()
    // The GPS runs only while this screen is shown.
    DisposableEffect(holder) { onDispose { holder.stopLocating() } }
    val actions = remember(holder) {
        object : CheckInActions {
            override fun back() = onLeave()
            override fun takePhoto() { holder.takePhoto() }
            override fun acceptLocation() = holder.acceptLocation()
            override fun typeCode(text: String) = holder.typeCode(text)
            override fun scanCode() { holder.scanCode() }
            override fun submit() { holder.submit() }
            override fun toObservations() = holder.toObservations()
            override fun guidance(text: String) = holder.editGuidance(text)
            override fun lessons(text: String) = holder.editLessons(text)
            override fun score(key: String, value: Int) = holder.setScore(key, value)
            override fun saveObservation() { holder.saveObservation() }
            override fun petitionText(text: String) = holder.editPetition(text)
            override fun petitionCategory(label: String) = holder.choosePetitionCategory(label)
            override fun raisePetition() { holder.raisePetition() }
            override fun dismissError() = holder.dismissError()
            override fun fixLocation() = holder.fixLocation()
            override fun openAppSettings() = holder.openAppSettings()
        }
    }
    CheckInScreen(state, actions)
}
