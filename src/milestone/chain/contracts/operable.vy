# pragma version ~=0.4.3
"""
@title operable
@notice The single account that runs the program: it posts each epoch's
        weights, finalizes epochs and manages the other roles. The role moves
        in two steps, so it can never land on an address nobody controls: the
        operator names its successor, and the successor accepts. Every step is
        logged.
"""


event OperatorTransferStarted:
    operator: indexed(address)
    pending_operator: indexed(address)


event OperatorTransferred:
    previous_operator: indexed(address)
    new_operator: indexed(address)


operator: public(address)
pending_operator: public(address)


@deploy
@payable
def __init__(operator_: address):
    assert operator_ != empty(address), "operable: operator is the zero address"
    self._transfer_operator(operator_)


@external
def transfer_operator(new_operator: address):
    """
    @notice Name `new_operator` as the next operator; the role moves when it
            calls `accept_operator`. Naming another (or the zero address)
            withdraws the offer.
    """
    self._check_operator()
    self.pending_operator = new_operator
    log OperatorTransferStarted(operator=self.operator, pending_operator=new_operator)


@external
def accept_operator():
    """@notice Take the operator role offered to the caller."""
    assert self.pending_operator != empty(address), "operable: no transfer pending"
    assert msg.sender == self.pending_operator, "operable: caller is not the pending operator"
    self._transfer_operator(msg.sender)


@internal
@view
def _check_operator():
    assert msg.sender == self.operator, "operable: caller is not the operator"


@internal
def _transfer_operator(new_operator: address):
    previous_operator: address = self.operator
    self.operator = new_operator
    self.pending_operator = empty(address)
    log OperatorTransferred(previous_operator=previous_operator, new_operator=new_operator)
