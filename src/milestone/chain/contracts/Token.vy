# pragma version ~=0.4.3
"""
@title Token
@notice A minimal ERC-20, the yardstick of `milestone bench chain`: what
        paying every owner by one token transfer each would cost, next to the
        constant cost of committing one root per epoch.
@dev Not part of the program: owners' balances live off-chain and are proven
     against the Program's roots.
"""


from ethereum.ercs import IERC20

implements: IERC20


MAX_BATCH: constant(uint256) = 512


name: public(String[32])
symbol: public(String[8])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])


@deploy
def __init__(name_: String[32], symbol_: String[8], decimals_: uint8, supply: uint256):
    self.name = name_
    self.symbol = symbol_
    self.decimals = decimals_
    self.totalSupply = supply
    self.balanceOf[msg.sender] = supply
    log IERC20.Transfer(sender=empty(address), receiver=msg.sender, value=supply)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    allowed: uint256 = self.allowance[sender][msg.sender]
    assert allowed >= amount, "token: insufficient allowance"
    self.allowance[sender][msg.sender] = unsafe_sub(allowed, amount)
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log IERC20.Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def transfer_many(receivers: DynArray[address, MAX_BATCH], amounts: DynArray[uint256, MAX_BATCH]):
    """@notice Pay many receivers in one transaction, as batched payouts do."""
    assert len(receivers) == len(amounts), "token: receivers and amounts differ in length"
    for i: uint256 in range(len(receivers), bound=MAX_BATCH):
        self._transfer(msg.sender, receivers[i], amounts[i])


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "token: transfer to the zero address"
    balance: uint256 = self.balanceOf[sender]
    assert balance >= amount, "token: insufficient balance"
    self.balanceOf[sender] = unsafe_sub(balance, amount)
    self.balanceOf[receiver] += amount
    log IERC20.Transfer(sender=sender, receiver=receiver, value=amount)
