# pragma version ~=0.4.3
"""
@title operable
@notice The single account that runs the program: it posts each epoch's
        weights, finalizes epochs and manages the other roles. Every change
        of operator is logged.
"""


event OperatorTransferred:
    previous_operator: indexed(address)
    new_operator: indexed(address)


operator: public(address)


@deploy
@payable
def __init__(operator_: address):
    assert operator_ != empty(address), "operable: operator is the zero address"
    self._transfer_operator(operator_)


@external
def transfer_operator(new_operator: address):
    """@notice Hand the operator role to `new_operator`."""
    self._check_operator()
    assert new_operator != empty(address), "operable: new operator is the zero address"
    self._transfer_operator(new_operator)


@internal
@view
def _check_operator():
    assert msg.sender == self.operator, "operable: caller is not the operator"


@internal
def _transfer_operator(new_operator: address):
    previous_operator: address = self.operator
    self.operator = new_operator
    log OperatorTransferred(previous_operator=previous_operator, new_operator=new_operator)
