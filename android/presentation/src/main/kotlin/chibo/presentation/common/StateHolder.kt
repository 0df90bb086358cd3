package chibo.presentation.common

import chibo.presentation.api.CoreException
import chibo.presentation.api.PermissionDenied
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/**
 * A screen's state holder: one immutable state in a [StateFlow], changed only here. Core
 * calls run on [work] (Android: Dispatchers.IO; tests: an unconfined dispatcher, so each
 * event has finished when the call returns).
 */
abstract class StateHolder<S>(initial: S, protected val scope: CoroutineScope, protected val work: CoroutineDispatcher) {
    private val mutable = MutableStateFlow(initial)
    val state: StateFlow<S> = mutable.asStateFlow()

    protected val current: S get() = mutable.value

    protected fun update(change: (S) -> S) = mutable.update(change)

    /** Runs [block] off the main thread; a core refusal becomes [onError]'s message. */
    protected fun launchWork(onError: (String) -> Unit, block: suspend () -> Unit): Job =
        scope.launch(work) {
            try {
                block()
            } catch (e: PermissionDenied) {
                if (!permissionDenied(e)) onError(e.message ?: UNKNOWN_ERROR)
            } catch (e: CoreException) {
                onError(e.message ?: UNKNOWN_ERROR)
            } catch (e: RuntimeException) {
                onError(e.message ?: UNKNOWN_ERROR)
            }
        }

    /**
     * A refused permission: a holder that can offer the way forward (the app's settings)
     * shows it and returns true; otherwise the message is shown as an error.
     */
    protected open fun permissionDenied(e: PermissionDenied): Boolean = false

    companion object {
        val UNKNOWN_ERROR: String get() = str(Str.da_co_loi_vui_long)
    }
}
