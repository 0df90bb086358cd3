package chibo.presentation.nav

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** Every destination of the app, with what it needs to load. */
sealed interface Screen {
    data object Enrollment : Screen
    data object SecretaryHome : Screen
    data object Roster : Screen
    data class MeetingFlow(val meetingId: String) : Screen
    data class PresenceCode(val meetingId: String) : Screen
    data object History : Screen
    data object Petitions : Screen
    data object Guidance : Screen
    data class Share(val meetingId: String) : Screen
    data object CadreHome : Screen
    data class CheckIn(val meetingId: String, val cellId: String) : Screen
    data object MyCheckIns : Screen
    data object NeedsAttention : Screen
    data object Settings : Screen
}

/**
 * The back stack. Its entries are plain values, so the Android shell saves them in the
 * activity's saved state and rebuilds the same stack after process death.
 */
class Navigator(root: Screen) {
    private val stack = MutableStateFlow(listOf(root))
    val backStack: StateFlow<List<Screen>> = stack.asStateFlow()
    val current: Screen get() = stack.value.last()

    fun push(screen: Screen) {
        if (current != screen) stack.value = stack.value + screen
    }

    /** Returns false at the root, where the platform should leave the app. */
    fun back(): Boolean {
        if (stack.value.size <= 1) return false
        stack.value = stack.value.dropLast(1)
        return true
    }

    /** Replaces the whole stack, e.g. after enrollment. */
    fun resetTo(screen: Screen) {
        stack.value = listOf(screen)
    }

    fun restore(saved: List<Screen>) {
        if (saved.isNotEmpty()) stack.value = saved
    }
}
